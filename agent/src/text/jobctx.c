/*
 * jobctx.c — job skills, required skills and minimum years for highlights and questions.
 * See jobctx.h.
 */
#include "text/jobctx.h"

#include <stdlib.h>
#include <string.h>

static void from_criteria(const struct kc_jobspec *job, struct kc_jobctx *ctx)
{
    for (size_t i = 0; i < job->n_crit; i++) {
        const struct kc_criterion *c = &job->crit[i];
        if (c->min_years > ctx->min_years) ctx->min_years = c->min_years;
        for (size_t k = 0; k < c->n_kw; k++) {
            int e = c->kw[k].entry;
            if (e < 0) continue;
            uint8_t level = c->kw[k].required ? KC_JOBSKILL_REQUIRED : KC_JOBSKILL_ASKED;
            if (level > ctx->skill[e]) ctx->skill[e] = level;
        }
    }
}

static bool required_sentence(const struct kc_doc *d, size_t s)
{
    const struct kc_lexicon *cues = d->kit->cues;
    if (d->sent[s].section == KC_SEC_PREFERRED) return false;
    if (kc_doc_sentence_cue(d, s, cues, kc_lex_group_find(cues, "preferred"), NULL, NULL) >= 0)
        return false;
    return d->sent[s].section == KC_SEC_REQUIREMENTS ||
           kc_doc_sentence_cue(d, s, cues, kc_lex_group_find(cues, "required"), NULL, NULL) >= 0;
}

static void from_text(const struct kc_doc *d, bool mark_required, struct kc_jobctx *ctx)
{
    for (size_t m = 0; m < d->skills.n; m++) {
        uint32_t e = d->skills.v[m].entry, s = d->skill_sent[m];
        ctx->mentions[e]++;
        if (ctx->skill[e] == KC_JOBSKILL_NONE) ctx->skill[e] = KC_JOBSKILL_ASKED;
        if (mark_required && s != UINT32_MAX && required_sentence(d, s))
            ctx->skill[e] = KC_JOBSKILL_REQUIRED;
    }
    if (ctx->min_years <= 0) ctx->min_years = kc_criteria_min_years(d->norm.text, d->norm.len);
}

int kc_jobctx_open(const struct kc_textkit *kit, const json_t *job, struct kc_jobctx *ctx,
                   struct kc_err *err)
{
    memset(ctx, 0, sizeof *ctx);
    if (!json_is_object(job))
        return kc_err_field(err, KC_E_INVALID, "job", "job: must be an object");
    const json_t *text = json_object_get(job, "text");
    const json_t *crit = json_object_get(job, "criteria");
    if (!json_is_string(text) && !crit)
        return kc_err_field(err, KC_E_INVALID, "job", "job: needs \"text\" or \"criteria\"");
    size_t n = kc_lex_size(kit->skills);
    ctx->skill = calloc(n, 1);
    ctx->mentions = calloc(n, sizeof *ctx->mentions);
    if (!ctx->skill || !ctx->mentions) {
        kc_jobctx_close(ctx);
        return kc_err_set(err, KC_E_NOMEM, "job context: out of memory");
    }
    if (crit) {
        ctx->job = kc_jobspec_compile(kit, job, "job", err);
        if (!ctx->job) {
            kc_jobctx_close(ctx);
            return -1;
        }
        from_criteria(ctx->job, ctx);
    }
    if (json_is_string(text)) {
        struct kc_ym ref = {KC_YEAR_MAX, 12};
        if (kc_doc_open(&ctx->doc, kit, json_string_value(text), json_string_length(text), ref,
                        "job.text", err) != 0) {
            kc_jobctx_close(ctx);
            return -1;
        }
        ctx->has_doc = true;
        from_text(&ctx->doc, ctx->job == NULL, ctx);
    } else if (text && !json_is_null(text)) {
        kc_jobctx_close(ctx);
        return kc_err_field(err, KC_E_INVALID, "job.text", "job.text: must be a string");
    }
    return 0;
}

void kc_jobctx_close(struct kc_jobctx *ctx)
{
    if (!ctx) return;
    free(ctx->skill);
    free(ctx->mentions);
    kc_jobspec_free(ctx->job);
    if (ctx->has_doc) kc_doc_close(&ctx->doc);
    memset(ctx, 0, sizeof *ctx);
}
