#!/usr/bin/env python3
"""holdcache.py - an sqlite3 session that holds the cache, as an administrator's would.

Usage: holdcache.py DB FLAG SQL...
Runs each SQL statement on DB in autocommit mode ("BEGIN IMMEDIATE" leaves
a write transaction open; "PRAGMA locking_mode=EXCLUSIVE" keeps the locks
and the WAL index in this process), writes FLAG once they ran, and waits
until FLAG is removed (at most 60 s). Then it rolls back what is still
open and closes the connection.
"""
import os
import sqlite3
import sys
import time


def main():
    db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=5)
    for sql in sys.argv[3:]:
        db.execute(sql)
    with open(sys.argv[2], "w") as flag:
        flag.write("held\n")
    for _ in range(600):
        if not os.path.exists(sys.argv[2]):
            break
        time.sleep(0.1)
    if db.in_transaction:
        db.execute("ROLLBACK")
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
