/* made by make-dkim-seeds.sh: TEST keys of fuzz.example */
#define FUZZ_KEY_RSA	"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDBiXzJVOhfbtWovzYvK56fUPj7+zcjPyXkndCnbQ1BPz8jD21JTRpUknECALAHZu6SGFJWRGOfk1r3/yUphl+m1UgTp1Dmu+rcX5kFCnwUp+2T23IP7ttlv5R3Rn1v4WybFhl1NZHzndt2WwsICsPqLGe8mP587YCeIsD4pHYisQIDAQAB"
#define FUZZ_KEY_ED	"v=DKIM1; k=ed25519; p=kug8t8SdCA76ICky2jA/73WnWRYSGk0ziJ018AyylzA="
