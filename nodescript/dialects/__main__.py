"""`python -m nodescript.dialects`: one line per version, `VERSION BPY_RELEASE PYTHON`, for
scripts/bootstrap.sh and scripts/test.sh (which must not keep a version list of their own)."""

from nodescript.dialects import all_dialects

for dialect in all_dialects():
    print(dialect.VERSION, dialect.BPY_RELEASE, dialect.PYTHON)
