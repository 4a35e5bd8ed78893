/* yamlscan.c - nesting depth and document count from libyaml's events. */
#include "yamlscan.h"

#include <stdio.h>
#include <yaml.h>

int yamlscan_check(const char *text, size_t len, const char *path, char *err, size_t errlen)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    unsigned depth = 0, docs = 0;
    int rc = 0, done = 0, ended = 0;
    while (!done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            /* The loader reports an error in the first document; one after
             * it the loader never reads. */
            if (ended) {
                snprintf(err, errlen, "%s:%u: YAML syntax error after the first document: %s", path,
                         (unsigned)p.problem_mark.line + 1, p.problem ? p.problem : "unknown");
                rc = -1;
            }
            break;
        }
        const unsigned line = (unsigned)ev.start_mark.line + 1;
        if (docs > 1) {
            /* At the second document's first node (its "---" may be absent). */
            snprintf(err, errlen, "%s:%u: more than one YAML document", path, line);
            yaml_event_delete(&ev);
            rc = -1;
            break;
        }
        switch (ev.type) {
        case YAML_DOCUMENT_START_EVENT:
            docs++;
            break;
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT:
            if (++depth > YAMLSCAN_MAX_DEPTH) {
                snprintf(err, errlen, "%s:%u: nested deeper than %d levels", path, line,
                         YAMLSCAN_MAX_DEPTH);
                rc = -1;
            }
            break;
        case YAML_DOCUMENT_END_EVENT:
            ended = 1;
            break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            depth--;
            break;
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (rc)
            break;
    }
    yaml_parser_delete(&p);
    return rc;
}
