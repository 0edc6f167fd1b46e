/*
 * NAME
 *	mload.h - the load generator's types, shared by mload.c and mwire.c
 * DESCRIPTION
 *	Protocol constants as in libmilter/mfdef.h (copied: mload speaks
 *	the wire protocol without libmilter), the parsed message, one
 *	connection to one milter, one session (a thread), and the options
 *	the protocol code reads.
 */
#ifndef MLOAD_H
#define MLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* protocol constants, as in libmilter/mfdef.h (not included: no libmilter) */
#define SMFI_PROT_VERSION	6
#define SMFI_CURR_ACTS		0x000001FFUL
#define SMFI_CURR_PROT		0x001FFFFFUL
#define MILTER_CHUNK_SIZE	65535

#define SMFIC_ABORT	'A'
#define SMFIC_BODY	'B'
#define SMFIC_CONNECT	'C'
#define SMFIC_MACRO	'D'
#define SMFIC_BODYEOB	'E'
#define SMFIC_HELO	'H'
#define SMFIC_HEADER	'L'
#define SMFIC_MAIL	'M'
#define SMFIC_EOH	'N'
#define SMFIC_OPTNEG	'O'
#define SMFIC_QUIT	'Q'
#define SMFIC_RCPT	'R'
#define SMFIC_DATA	'T'

#define SMFIR_ADDRCPT	'+'
#define SMFIR_DELRCPT	'-'
#define SMFIR_ADDRCPT_PAR '2'
#define SMFIR_SHUTDOWN	'4'
#define SMFIR_ACCEPT	'a'
#define SMFIR_REPLBODY	'b'
#define SMFIR_CONTINUE	'c'
#define SMFIR_DISCARD	'd'
#define SMFIR_CHGFROM	'e'
#define SMFIR_CONN_FAIL	'f'
#define SMFIR_ADDHEADER	'h'
#define SMFIR_INSHEADER	'i'
#define SMFIR_CHGHEADER	'm'
#define SMFIR_PROGRESS	'p'
#define SMFIR_QUARANTINE 'q'
#define SMFIR_REJECT	'r'
#define SMFIR_SKIP	's'
#define SMFIR_TEMPFAIL	't'
#define SMFIR_REPLYCODE	'y'

#define SMFIP_NOCONNECT	0x00000001UL
#define SMFIP_NOHELO	0x00000002UL
#define SMFIP_NOMAIL	0x00000004UL
#define SMFIP_NORCPT	0x00000008UL
#define SMFIP_NOBODY	0x00000010UL
#define SMFIP_NOHDRS	0x00000020UL
#define SMFIP_NOEOH	0x00000040UL
#define SMFIP_NR_HDR	0x00000080UL
#define SMFIP_NODATA	0x00000200UL
#define SMFIP_SKIP	0x00000400UL
#define SMFIP_NR_CONN	0x00001000UL
#define SMFIP_NR_HELO	0x00002000UL
#define SMFIP_NR_MAIL	0x00004000UL
#define SMFIP_NR_RCPT	0x00008000UL
#define SMFIP_NR_DATA	0x00010000UL
#define SMFIP_NR_EOH	0x00040000UL
#define SMFIP_NR_BODY	0x00080000UL
#define SMFIP_HDR_LEADSPC 0x00100000UL

#define MAX_MILTERS	2
#define MAX_REPLY	(4 * 1024 * 1024)	/* cap on one packet we read */
#define MTA_NAME	"mx.bench.example"

enum verdict {
	V_ACCEPT, V_REJECT, V_TEMPFAIL, V_DISCARD, V_QUARANTINE, V_ERROR,
	V_NUM
};

enum edit {
	E_ADD, E_INSERT, E_CHANGE, E_DELETE, E_CHGFROM, E_RCPT, E_BODY,
	E_NUM
};

enum wmode { W_COMMAND, W_PACKET, W_CORK };

/* one header field: name, and the value as after the colon */
struct hdr {
	char	*name;
	char	*value;
	size_t	 vlen;
	bool	 owned;			/* name/value malloc'ed by an edit */
};

/* one message file, parsed once */
struct msgfile {
	char	*path;
	struct hdr *h;
	int	 nh;
	unsigned char *body;		/* CRLF line ends */
	size_t	 bodylen;
	char	*ip, *helo, *from, *rcpt;
	int	 expect;		/* enum verdict or -1 */
};

/* a milter socket address */
struct target {
	char	 spec[512];
	int	 family;		/* AF_INET, AF_INET6, AF_UNIX */
	struct sockaddr_storage sa;
	socklen_t salen;
};

/* output buffer of one connection */
struct obuf {
	unsigned char *p;
	size_t	 len, cap;
};

/* one connection to one milter */
struct mconn {
	int	 fd;
	const struct target *t;
	uint32_t proto;			/* negotiated SMFIP_* */
	uint32_t acts;
	bool	 done;			/* accepted or refused the connection */
	struct obuf out;
	unsigned char *rbuf;		/* read buffer */
	size_t	 rlen, roff, rcap;
	unsigned char *pkt;		/* last packet read, data part */
	uint32_t pktlen;
	size_t	 pktcap;
};

/* per-thread results */
struct stats {
	uint64_t verdicts[V_NUM];
	uint64_t edits[E_NUM];
	uint64_t mismatch;
	uint64_t grep;			/* header edits holding grep_str */
	uint64_t msgs;
	double	*lat;			/* ms */
	size_t	 nlat, caplat;
	char	 first_err[256];
};


/* what a step's reply means */
enum step_res { S_CONTINUE, S_ACCEPT, S_REJECT, S_TEMPFAIL, S_DISCARD,
	S_SKIP, S_ERROR };

/* working header list of the message being sent (edited in chain mode) */
struct hlist {
	struct hdr *h;
	int	 n, cap;
};

struct session {
	struct mconn mc[MAX_MILTERS];
	struct stats st;
	struct hlist hl;
	bool	 quarantined;
	char	 qid[16];
	char	 err[200];
};

/* options, set by mload.c before any session starts */
extern struct target targets[MAX_MILTERS];
extern int ntargets, verbose, quickack, nodelay, timeout_ms;
extern enum wmode wmode;
extern const char *grep_str;

/* mload.c */
_Noreturn void die(const char *, ...);
void	*xmalloc(size_t);
void	*xrealloc(void *, size_t);
char	*xstrndup(const char *, size_t);
double	 now_ms(void);

/* mwire.c */
int	 mc_open(struct session *, struct mconn *, const struct target *);
void	 mc_abort(struct mconn *);
void	 mc_close(struct mconn *, bool);
enum step_res conn_events(struct session *, const struct msgfile *, unsigned);
enum verdict one_message(struct session *, const struct msgfile *);
enum verdict res_verdict(enum step_res);

#endif
