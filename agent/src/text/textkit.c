/*
 * textkit.c — loading the text layer's data files. See textkit.h.
 */
#include "text/textkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/questions.h"

#ifndef KC_AGENT_DATA_DIR
#define KC_AGENT_DATA_DIR "agent/data"
#endif

static struct kc_lexicon *load_lex(const char *dir, const char *file, struct kc_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    return kc_lex_load(path, err);
}

static json_t *load_questions(const char *dir, struct kc_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/questions.json", dir);
    json_error_t jerr;
    json_t *bank = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!bank) {
        kc_err_set(err, KC_E_IO, "loading %s: %s (line %d, column %d)", path, jerr.text, jerr.line,
                   jerr.column);
        return NULL;
    }
    if (kc_questions_validate(bank, err) != 0) {
        kc_err_prefix(err, "%s", path);
        json_decref(bank);
        return NULL;
    }
    return bank;
}

struct kc_textkit *kc_textkit_load(const char *dir, struct kc_err *err)
{
    if (!dir) dir = KC_AGENT_DATA_DIR;
    struct kc_textkit *kit = calloc(1, sizeof *kit);
    if (!kit) {
        kc_err_set(err, KC_E_NOMEM, "text kit: out of memory");
        return NULL;
    }
    struct {
        struct kc_lexicon **slot;
        const char *file;
    } files[] = {{&kit->skills, "lexicon.tsv"},  {&kit->sections, "sections.tsv"},
                 {&kit->cues, "cues.tsv"},       {&kit->star, "star.tsv"},
                 {&kit->fillers, "fillers.tsv"}, {&kit->tone, "tone.tsv"},
                 {&kit->values, "values.tsv"},   {&kit->concepts, "concepts.tsv"}};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        *files[i].slot = load_lex(dir, files[i].file, err);
        if (!*files[i].slot) {
            kc_textkit_free(kit);
            return NULL;
        }
    }
    kit->questions = load_questions(dir, err);
    if (!kit->questions) {
        kc_textkit_free(kit);
        return NULL;
    }
    return kit;
}

void kc_textkit_free(struct kc_textkit *kit)
{
    if (!kit) return;
    kc_lex_free(kit->skills);
    kc_lex_free(kit->sections);
    kc_lex_free(kit->cues);
    kc_lex_free(kit->star);
    kc_lex_free(kit->fillers);
    kc_lex_free(kit->tone);
    kc_lex_free(kit->values);
    kc_lex_free(kit->concepts);
    json_decref(kit->questions);
    free(kit);
}

int kc_textkit_entry(const struct kc_lexicon *lx, const char *canonical)
{
    for (size_t i = 0; i < kc_lex_size(lx); i++)
        if (strcmp(kc_lex_entry_at(lx, i)->canonical, canonical) == 0) return (int)i;
    return -1;
}

const char *kc_lang_code(enum kc_lang lang)
{
    return lang == KC_LANG_KO ? "ko" : "en";
}
