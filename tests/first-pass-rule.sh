#!/bin/sh
# Only the stream engine (plugin/engine/) asks whether a frame is seen for the
# first time; everything else reads records, or asks the engine's record store
# or memo (engine/record.h, engine/memo.h) for a fact decided once.
#   first-pass-rule.sh PLUGIN_DIR
dir=${1:?usage: first-pass-rule.sh PLUGIN_DIR}
found=$(grep -rnE 'first_pass|PINFO_FD_VISITED|fd->visited|flags\.visited|mw_record_unvisited' \
        "$dir" --include='*.c' --include='*.h' | grep -v "^$dir/engine/")
if [ -n "$found" ]; then
    echo "FAIL: the pass is decided outside plugin/engine/:"
    echo "$found"
    echo "0 passed, 1 failed"
    exit 1
fi
echo "ok   no pass decided outside plugin/engine/"
echo "1 passed, 0 failed"
