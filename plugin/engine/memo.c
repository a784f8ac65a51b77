/* Facts decided once per frame: see memo.h. */
#include "engine/memo.h"

#include <epan/wmem_scopes.h>

#include "engine/record.h"

struct mw_memo {
    wmem_map_t *map; /* guint64 key -> fact, file scope */
};

mw_memo *mw_memo_new(void)
{
    mw_memo *m = wmem_new(wmem_epan_scope(), mw_memo);
    m->map = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), g_int64_hash,
                                    g_int64_equal);
    return m;
}

void *mw_memo_get(mw_memo *m, packet_info *pinfo, guint64 key, mw_memo_decide decide, void *arg)
{
    void *v = wmem_map_lookup(m->map, &key);
    if (v || !decide || !pinfo || !mw_record_unvisited(pinfo))
        return v;
    v = decide(pinfo, arg);
    if (v) {
        guint64 *k = wmem_new(wmem_file_scope(), guint64);
        *k = key;
        wmem_map_insert(m->map, k, v);
    }
    return v;
}
