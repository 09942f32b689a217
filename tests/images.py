"""Names of the local stand-in images that `make images` builds."""

import os

POSTGRES = "rehearse/testing-postgres:15"
MARIADB = "rehearse/testing-mariadb:10.11"
# The stand-in's repository; a work tree of its own (parallel development) may build its own.
SIM = os.environ.get("REHEARSE_TEST_SIM", "rehearse/nopsim")
ALL = (POSTGRES, MARIADB)
