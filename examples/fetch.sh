#!/bin/sh
# fetch.sh: the "fetch" task of nightly.topo. A real job would download the
# day's text; this one copies the Gettysburg address shipped in data/, and
# reports its progress on $SMC_PROGRESS_FD when smc gives one.
set -eu
progress() { if [ -n "${SMC_PROGRESS_FD:-}" ]; then echo "$1" >&"$SMC_PROGRESS_FD"; fi; }
progress "0% fetching"
cp data/gettysburg.txt data.txt.part
progress "90% checking"
[ -s data.txt.part ]
mv data.txt.part data.txt
progress "100% fetched"
wc -l < data.txt
