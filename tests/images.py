"""Names of the local stand-in images that `make images` builds."""

import os

# trixie's servers: MariaDB 11.8 knows MySQL 8's 0900 collations (docker-offline.md).
POSTGRES = "rehearse/testing-postgres:17"
MARIADB = "rehearse/testing-mariadb:11.8"
# bookworm's MariaDB, older than 11.4.5: for the test that a MySQL 8 dump names both ways out.
OLD_MARIADB = "rehearse/testing-mariadb:10.11"
# The stand-in's repository; a work tree of its own (parallel development) may build its own.
SIM = os.environ.get("REHEARSE_TEST_SIM", "rehearse/nopsim")
ALL = (POSTGRES, MARIADB, OLD_MARIADB)
