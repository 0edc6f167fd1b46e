#!/bin/sh
# sendmail.sh - the Sendmail verdict cases (test-harness/sendmail/run.sh), TAP
exec "$(dirname "$0")/../sendmail/run.sh"
