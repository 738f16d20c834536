/*
 * test_flows.c — the built-in workflows with an LLM provider pointed at the local fake
 * chat-completions server (fake_llm.c) and a private redis-server:
 *   - questions: the LLM's questions replace the deterministic ones after the checks — a
 *     personal question whose source_quote is not in the resume is dropped and listed;
 *   - questions: a provider that never returns valid JSON leaves the deterministic questions,
 *     labelled "failed" with the reason, and the run still ends "done";
 *   - grade: the LLM judgement is reported beside the deterministic grade; evidence that is not
 *     in the transcript is marked unsupported, out-of-range points are dropped; use_llm:false
 *     skips the provider entirely;
 *   - screen: similarity.enabled:false takes the conditional edge around the similarity node.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "core/log.h"
#include "fake_llm.h"
#include "flows.h"
#include "llm.h"
#include "simstore.h"
#include "testutil.h"
#include "text/textkit.h"
#include "workflow.h"

static struct kc_test_redis srv;
static struct kc_redis *r;
static struct kc_agent agent;

static void setup(void)
{
    kc_log_init("test", KC_LOG_ERROR, stderr);
    fake_start();
    cr_assert_eq(kc_test_redis_start(&srv), 0);
    struct kc_err err = {0};
    r = kc_redis_new(srv.url, 4, 5000, &err);
    cr_assert_not_null(r, "%s", err.message);
    memset(&agent, 0, sizeof agent);
    agent.kit = kc_textkit_load(NULL, &err);
    cr_assert_not_null(agent.kit, "%s", err.message);
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d/v1", fake.port);
    struct kc_llm_options o = {
        .provider = "openai", .base_url = base, .model = "fake", .http_retries = -1};
    agent.llm = kc_llm_new(&o, &err);
    cr_assert_not_null(agent.llm, "%s", err.message);
    agent.sim = kc_simstore_open(r, &err);
    cr_assert_not_null(agent.sim, "%s", err.message);
    struct kc_wf_engine_config wc = {.redis = r, .env = &agent};
    agent.wf = kc_wf_engine_new(&wc, &err);
    cr_assert_not_null(agent.wf, "%s", err.message);
    cr_assert_eq(kc_flows_register(agent.wf, &err), 0, "%s", err.message);
}

static void teardown(void)
{
    kc_wf_engine_free(agent.wf);
    kc_simstore_close(agent.sim);
    kc_llm_free(agent.llm);
    kc_textkit_free(agent.kit);
    kc_redis_free(r);
    kc_test_redis_stop(&srv);
    fake_stop();
}

TestSuite(flows, .init = setup, .fini = teardown, .timeout = 120);

static char *corpus(const char *file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", KC_AGENT_TEST_CORPUS, file);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "missing %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    cr_assert_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = '\0';
    fclose(f);
    return b;
}

static json_t *screen_input(const char *resume_file)
{
    char *crit = corpus("job_backend_ko.criteria.json"), *jt = corpus("job_backend_ko.txt");
    char *rt = corpus(resume_file);
    json_error_t je;
    json_t *job = json_loads(crit, 0, &je);
    json_object_set_new(job, "text", json_string(jt));
    json_t *in = json_pack("{s:o,s:{s:s},s:s}", "job", job, "resume", "text", rt, "reference_date",
                           "2024-06");
    free(crit);
    free(jt);
    free(rt);
    return in;
}

static json_t *run(const char *wf, json_t *input)
{
    struct kc_err err = {0};
    char id[KC_WF_RUN_ID_MAX] = "";
    cr_assert_eq(kc_wf_create(agent.wf, wf, input, id, sizeof id, &err), 0, "%s", err.message);
    json_decref(input);
    cr_assert_eq(kc_wf_run(agent.wf, id, 1, true, &err), 0, "%s", err.message);
    json_t *st = kc_wf_status(agent.wf, id, &err);
    cr_assert_not_null(st, "%s", err.message);
    cr_assert_str_eq(json_string_value(json_object_get(st, "status")), "done");
    return st;
}

/* The first bullet line of the resume ("- …"), without the dash: a real resume item. */
static char *first_bullet(const char *resume)
{
    const char *p = strstr(resume, "\n- ");
    cr_assert_not_null(p, "no bullet line in the resume");
    p += 3;
    size_t n = strcspn(p, "\n");
    char *s = malloc(n + 1);
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

static char *llm_content(json_t *reply)
{
    char *s = json_dumps(reply, JSON_COMPACT);
    json_decref(reply);
    char *c = completion(s);
    free(s);
    return c;
}

Test(flows, llm_questions_are_checked_against_the_resume)
{
    char *resume = corpus("r02_ko_backend_junior.txt");
    char *item = first_bullet(resume);
    script(200, NULL,
           llm_content(json_pack(
               "{s:[{s:s,s:s,s:s,s:[s]},{s:s,s:s,s:s,s:[s],s:s},{s:s,s:s,s:s,s:[s],s:s}]}",
               "questions", "kind", "job", "competency", "backend", "text",
               "Spring Boot로 API를 설계할 때 무엇을 먼저 고려하나요?", "good_answer",
               "트레이드오프", "kind", "personal", "competency", "ownership", "text",
               "이 경험에서 본인의 역할은 무엇이었나요?", "good_answer", "역할과 결과",
               "source_quote", item, "kind", "personal", "competency", "ownership", "text",
               "수상 경력에 대해 말해 주세요.", "good_answer", "과정", "source_quote",
               "전국 해커톤 대상 수상 및 특허 3건 출원")),
           0);
    json_t *st = run("questions", screen_input("r02_ko_backend_junior.txt"));
    const json_t *res = json_object_get(json_object_get(st, "state"), "result");
    cr_assert_str_eq(json_string_value(json_object_get(res, "source")), "llm");
    const json_t *qs = json_object_get(res, "questions");
    cr_assert_eq(json_array_size(qs), 2);
    const json_t *src = json_object_get(json_array_get(qs, 1), "source");
    size_t off = (size_t)json_integer_value(json_object_get(src, "offset"));
    cr_assert_eq(strncmp(resume + off, item, strlen(item)), 0);
    const json_t *llm = json_object_get(res, "llm");
    cr_assert_str_eq(json_string_value(json_object_get(llm, "status")), "ok");
    const json_t *dropped = json_object_get(llm, "dropped");
    cr_assert_eq(json_array_size(dropped), 1);
    cr_assert(strstr(json_string_value(json_object_get(json_array_get(dropped, 0), "reason")),
                     "not in the resume"));
    /* the deterministic questions are kept in the state too */
    cr_assert_gt(json_array_size(json_object_get(
                     json_object_get(json_object_get(st, "state"), "questions"), "questions")),
                 0);
    json_decref(st);
    free(item);
    free(resume);
}

Test(flows, invalid_llm_output_falls_back_to_the_deterministic_questions)
{
    script(200, NULL, completion("Here are some great questions for you!"), 0);
    json_t *st = run("questions", screen_input("r02_ko_backend_junior.txt"));
    const json_t *res = json_object_get(json_object_get(st, "state"), "result");
    cr_assert_str_eq(json_string_value(json_object_get(res, "source")), "deterministic");
    cr_assert_gt(json_array_size(json_object_get(res, "questions")), 0);
    const json_t *llm = json_object_get(res, "llm");
    cr_assert_str_eq(json_string_value(json_object_get(llm, "status")), "failed");
    cr_assert(strstr(json_string_value(json_object_get(llm, "reason")),
                     "no valid structured reply after 3 attempt"),
              "%s", json_string_value(json_object_get(llm, "reason")));
    cr_assert_eq(json_array_size(json_object_get(llm, "rejected")), 3);
    cr_assert_eq(fake.n_seen, 3);
    json_decref(st);
}

static json_t *grade_input(bool use_llm)
{
    return json_pack("{s:{s:s,s:[s,s]},s:s,s:b}", "question", "text",
                     "Tell me about a time you improved performance.", "good_answer",
                     "the bottleneck found", "the measured result", "transcript",
                     "Our checkout API was slow. I profiled it and found the database query "
                     "without an index was the bottleneck. I added the index and a Redis "
                     "cache. As a result latency dropped from 900 ms to 120 ms.",
                     "use_llm", use_llm);
}

Test(flows, llm_grade_is_reported_beside_the_deterministic_grade)
{
    script(200, NULL,
           llm_content(json_pack("{s:[{s:i,s:b,s:s},{s:i,s:b,s:s},{s:i,s:b}],"
                                 "s:{s:b,s:b,s:b,s:b},s:i,s:i,s:s}",
                                 "points", "index", 0, "covered", 1, "evidence",
                                 "the database query without an index was the bottleneck", "index",
                                 1, "covered", 1, "evidence", "revenue grew by forty percent",
                                 "index", 7, "covered", 1, "star", "situation", 1, "task", 0,
                                 "action", 1, "result", 1, "specificity", 70, "score", 78,
                                 "rationale", "clear result")),
           0);
    json_t *st = run("grade", grade_input(true));
    const json_t *state = json_object_get(st, "state");
    cr_assert(json_is_number(json_object_get(json_object_get(state, "grade"), "score")));
    const json_t *lg = json_object_get(state, "llm_grade");
    cr_assert_str_eq(json_string_value(json_object_get(lg, "status")), "ok");
    cr_assert_eq(json_integer_value(json_object_get(lg, "score")), 78);
    const json_t *pts = json_object_get(lg, "points");
    cr_assert_eq(json_array_size(pts), 2, "the out-of-range index 7 is dropped");
    cr_assert(json_is_true(json_object_get(json_array_get(pts, 0), "supported")));
    cr_assert(json_is_false(json_object_get(json_array_get(pts, 1), "supported")));
    cr_assert(json_is_null(json_object_get(json_array_get(pts, 1), "evidence")));
    const char *prompt = fake.seen_body[0];
    cr_assert(strstr(prompt, "coverage of the expected points (weight 45%)"),
              "the rubric frames the prompt");
    json_decref(st);
}

Test(flows, use_llm_false_skips_the_provider)
{
    json_t *st = run("grade", grade_input(false));
    const json_t *lg = json_object_get(json_object_get(st, "state"), "llm_grade");
    cr_assert_str_eq(json_string_value(json_object_get(lg, "status")), "skipped");
    cr_assert_eq(json_array_size(json_object_get(st, "node_timings")), 2);
    cr_assert_eq(fake.n_seen, 0);
    json_decref(st);
}

Test(flows, screen_without_similarity_takes_the_conditional_edge)
{
    json_t *in = screen_input("r01_ko_backend_senior.txt");
    json_object_set_new(in, "similarity", json_pack("{s:b}", "enabled", 0));
    json_t *st = run("screen", in);
    const json_t *t = json_object_get(st, "node_timings");
    cr_assert_eq(json_array_size(t), 4);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(t, 3), "node")),
                     "suggestion");
    const json_t *state = json_object_get(st, "state");
    cr_assert_null(json_object_get(state, "similarity"));
    cr_assert_str_eq(
        json_string_value(json_object_get(json_object_get(state, "suggestion"), "value")), "pass");
    json_decref(st);
}
