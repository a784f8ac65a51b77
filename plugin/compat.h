/* Every difference between the Wireshark releases mailwire builds against
 * (4.0, 4.4, 4.6) lives here, so no other file needs a version #if.
 *
 * The build includes this header first in every plugin source file (CMake:
 * -include), after the Wireshark headers it adapts: so code may use either
 * spelling of a renamed API and it compiles, warning-free, on all three. */
#ifndef MAILWIRE_COMPAT_H
#define MAILWIRE_COMPAT_H

#include <ws_version.h>
#include <wireshark.h>
#include <epan/tvbuff.h>
#include <epan/strutil.h>

#define MW_WS_AT_LEAST(maj, min) \
    (WIRESHARK_VERSION_MAJOR > (maj) || \
     (WIRESHARK_VERSION_MAJOR == (maj) && WIRESHARK_VERSION_MINOR >= (min)))

/* tvb accessors named after GLib types (4.0) were renamed after C99 types
 * (4.4; the old names are deprecated wrappers there and in 4.6).  Both
 * spellings reach the function the running release prefers. */
#if MW_WS_AT_LEAST(4, 4)
#define tvb_get_guint8 tvb_get_uint8
#define tvb_get_gint8 tvb_get_int8
#define tvb_get_guint16 tvb_get_uint16
#define tvb_get_gint16 tvb_get_int16
#define tvb_get_guint24 tvb_get_uint24
#define tvb_get_gint24 tvb_get_int24
#define tvb_get_guint32 tvb_get_uint32
#define tvb_get_gint32 tvb_get_int32
#define tvb_get_guint40 tvb_get_uint40
#define tvb_get_gint40 tvb_get_int40
#define tvb_get_guint48 tvb_get_uint48
#define tvb_get_gint48 tvb_get_int48
#define tvb_get_guint56 tvb_get_uint56
#define tvb_get_gint56 tvb_get_int56
#define tvb_get_guint64 tvb_get_uint64
#define tvb_get_gint64 tvb_get_int64
#define tvb_find_guint8 tvb_find_uint8
#define tvb_find_guint16 tvb_find_uint16
#define tvb_ws_mempbrk_pattern_guint8 tvb_ws_mempbrk_pattern_uint8
#define tvb_skip_guint8 tvb_skip_uint8
#else
#define tvb_get_uint8 tvb_get_guint8
#define tvb_get_int8 tvb_get_gint8
#define tvb_get_uint16 tvb_get_guint16
#define tvb_get_int16 tvb_get_gint16
#define tvb_get_uint24 tvb_get_guint24
#define tvb_get_int24 tvb_get_gint24
#define tvb_get_uint32 tvb_get_guint32
#define tvb_get_int32 tvb_get_gint32
#define tvb_get_uint40 tvb_get_guint40
#define tvb_get_int40 tvb_get_gint40
#define tvb_get_uint48 tvb_get_guint48
#define tvb_get_int48 tvb_get_gint48
#define tvb_get_uint56 tvb_get_guint56
#define tvb_get_int56 tvb_get_gint56
#define tvb_get_uint64 tvb_get_guint64
#define tvb_get_int64 tvb_get_gint64
#define tvb_find_uint8 tvb_find_guint8
#define tvb_find_uint16 tvb_find_guint16
#define tvb_ws_mempbrk_pattern_uint8 tvb_ws_mempbrk_pattern_guint8
#define tvb_skip_uint8 tvb_skip_guint8
#endif

/* Heuristic dissectors return gboolean in 4.0 and bool from 4.4 (the
 * function pointer types differ, so the definition must match). */
#if MW_WS_AT_LEAST(4, 4)
typedef bool mw_heur_bool;
#else
typedef gboolean mw_heur_bool;
#endif

/* wmem user callbacks (wmem_register_callback) return gboolean in 4.0 and
 * bool from 4.4. */
#if MW_WS_AT_LEAST(4, 4)
typedef bool mw_wmem_cb_bool;
#else
typedef gboolean mw_wmem_cb_bool;
#endif

/* Boolean preferences point at a gboolean in 4.0 and a bool from 4.4. */
#if MW_WS_AT_LEAST(4, 4)
typedef bool mw_pref_bool;
#else
typedef gboolean mw_pref_bool;
#endif

/* format_text() takes const guchar * in 4.0 and const char * from 4.4:
 * accept bytes of either signedness. */
#if MW_WS_AT_LEAST(4, 4)
#define format_text(scope, str, len) (format_text)((scope), (const char *)(str), (len))
#else
#define format_text(scope, str, len) (format_text)((scope), (const guchar *)(str), (len))
#endif

/* 4.0 labels a string field by escaping its whole value with format_text
 * and then keeping ITEM_LABEL_LENGTH octets, and format_text goes one byte
 * at a time: mailwire escapes ASCII text itself (same result) and writes the
 * labels of bulk text fields.  Later releases escape only what a label shows
 * (ws_label_strcpy), so there Wireshark's own functions are used. */
#if MW_WS_AT_LEAST(4, 2)
#define MW_OWN_TEXT_FORMAT 0
#else
#define MW_OWN_TEXT_FORMAT 1
#endif

/* The record of the shared "credentials" tap (tshark -z credentials).  Its
 * header is not installed by the 4.0, 4.4 or 4.6 development packages
 * (ui/tap-credentials.h in 4.0, epan/credentials.h later); the layout is the
 * same in all three, so one declaration serves. */
#if MW_WS_AT_LEAST(4, 0) && !MW_WS_AT_LEAST(4, 8)
typedef struct mw_tap_credential {
    unsigned num;            /* frame of the password */
    unsigned username_num;   /* frame of the user name */
    unsigned password_hf_id; /* field that holds the password */
    char *username;
    const char *proto;
    char *info;
} mw_tap_credential;
#define MW_HAVE_CREDENTIALS_TAP 1
#else
#define MW_HAVE_CREDENTIALS_TAP 0
#endif

/* A -z statistic's init callback (stat_tap_ui) returns void up to 4.4 and
 * bool (success) from 4.6. */
#if MW_WS_AT_LEAST(4, 6)
#define MW_STAT_TAP_INIT_TYPE bool
#define MW_STAT_TAP_INIT_DONE(ok) return (ok)
#else
#define MW_STAT_TAP_INIT_TYPE void
#define MW_STAT_TAP_INIT_DONE(ok) do { (void)(ok); return; } while (0)
#endif

/* A field_info's value is embedded in 4.0 and a pointer from 4.2. */
#if MW_WS_AT_LEAST(4, 2)
#define MW_FINFO_FVALUE(fi) ((fi)->value)
#else
#define MW_FINFO_FVALUE(fi) (&(fi)->value)
#endif

#endif
