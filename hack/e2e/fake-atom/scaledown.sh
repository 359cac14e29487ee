#!/bin/sh
# The real agent drains its work here; the stand-in has nothing to drain.
exit 0
