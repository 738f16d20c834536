/*
 * test_llm_openai.c — the openai provider against a local chat-completions server written
 * here (raw sockets, one thread, a script of canned responses), plus the structured-output
 * retry loop and the Redis reply cache:
 *   success (request shape: URL, model, bearer key, messages, response_format), a timeout
 *   (retried, then a clear error), 429 with Retry-After then success (the wait is honoured),
 *   5xx until the retries run out, a 200 whose body is not JSON (no retry, clear error), an
 *   invalid structured reply corrected on the retry (the validation error is sent back), a
 *   reply that never validates, the cache (hit without a request, key/TTL in Redis, a changed
 *   parameter misses), and provider "none".
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "fake_llm.h"
#include "llm.h"
#include "testutil.h"

static struct kc_test_redis srv;
static struct kc_redis *redis;

static void setup(void)
{
    kc_log_init("test", KC_LOG_ERROR, stderr);
    fake_start();
}

static void teardown(void)
{
    fake_stop();
    if (redis) kc_redis_free(redis);
    if (srv.pid) kc_test_redis_stop(&srv);
}

TestSuite(openai, .init = setup, .fini = teardown, .timeout = 60);

static struct kc_llm *open_llm(int timeout_ms, int retries, struct kc_redis *cache)
{
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d/v1/", fake.port);
    struct kc_llm_options o = {.provider = "openai",
                               .base_url = base,
                               .model = "test-model",
                               .api_key = "sk-test",
                               .timeout_ms = timeout_ms,
                               .http_retries = retries,
                               .backoff_ms = 50,
                               .max_backoff_ms = 200,
                               .cache = cache};
    struct kc_err err = {0};
    struct kc_llm *llm = kc_llm_new(&o, &err);
    cr_assert_not_null(llm, "%s", err.message);
    return llm;
}

static json_t *ask(const char *text)
{
    return json_pack("[{s:s,s:s}]", "role", "user", "content", text);
}

static const char SCORE_SCHEMA[] =
    "{\"type\":\"object\",\"required\":[\"score\",\"reason\"],\"properties\":{"
    "\"score\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":100},"
    "\"reason\":{\"type\":\"string\",\"minLength\":1}}}";

static json_t *schema(void)
{
    json_error_t e;
    return json_loads(SCORE_SCHEMA, 0, &e);
}

Test(openai, success_sends_the_protocol_and_validates_the_reply)
{
    script(200, NULL, completion("{\"score\": 80, \"reason\": \"covers Kubernetes\"}"), 0);
    struct kc_llm *llm = open_llm(5000, 0, NULL);
    json_t *m = ask("rate this"), *s = schema();
    struct kc_llm_reply out;
    struct kc_err err = {0};
    struct kc_llm_params p = kc_llm_params_default();
    cr_assert_eq(kc_llm_chat(llm, m, &p, s, &out, &err), 0, "%s", err.message);
    cr_assert_eq(json_integer_value(json_object_get(out.json, "score")), 80);
    cr_assert_eq(out.attempts, 1);
    cr_assert(!out.cached);
    cr_assert_str_eq(out.provider, "openai");
    cr_assert_eq(fake.n_seen, 1);
    cr_assert_str_eq(fake.seen_path[0], "/v1/chat/completions");
    cr_assert_str_eq(fake.seen_auth[0], "Bearer sk-test");
    json_error_t je;
    json_t *req = json_loads(fake.seen_body[0], 0, &je);
    cr_assert_not_null(req, "request body is not JSON: %s", fake.seen_body[0]);
    cr_assert_str_eq(json_string_value(json_object_get(req, "model")), "test-model");
    cr_assert_str_eq(
        json_string_value(json_object_get(json_object_get(req, "response_format"), "type")),
        "json_object");
    const json_t *msgs = json_object_get(req, "messages");
    cr_assert_eq(json_array_size(msgs), 2, "schema instruction + the user message");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(msgs, 0), "role")), "system");
    cr_assert(strstr(json_string_value(json_object_get(json_array_get(msgs, 0), "content")),
                     "\"score\""));
    json_decref(req);
    kc_llm_reply_free(&out);
    json_decref(m);
    json_decref(s);
    kc_llm_free(llm);
}

Test(openai, timeout_is_retried_then_reported)
{
    script(200, NULL, completion("{}"), 1500);
    struct kc_llm *llm = open_llm(300, 1, NULL);
    json_t *m = ask("slow");
    struct kc_llm_reply out;
    struct kc_err err = {0};
    cr_assert_eq(kc_llm_chat(llm, m, NULL, NULL, &out, &err), -1);
    cr_assert_eq(err.code, KC_E_UNAVAILABLE);
    cr_assert(strstr(err.message, "timed out after 300 ms"), "%s", err.message);
    cr_assert(strstr(err.message, "2 attempt"), "%s", err.message);
    kc_llm_reply_free(&out);
    json_decref(m);
    kc_llm_free(llm);
    usleep(1600 * 1000); /* let the server finish its delayed replies */
    cr_assert_eq(fake.n_seen, 2);
}

Test(openai, rate_limit_then_success_honours_retry_after)
{
    script(429, "Retry-After: 1\r\n", strdup("{\"error\":{\"message\":\"slow down\"}}"), 0);
    script(200, NULL, completion("plain text answer"), 0);
    struct kc_llm *llm = open_llm(5000, 2, NULL);
    json_t *m = ask("hi");
    struct kc_llm_reply out;
    struct kc_err err = {0};
    cr_assert_eq(kc_llm_chat(llm, m, NULL, NULL, &out, &err), 0, "%s", err.message);
    cr_assert_str_eq(out.text, "plain text answer");
    cr_assert_eq(fake.n_seen, 2);
    /* a lower bound only: the client waited at least the server's Retry-After (1 s) */
    cr_assert_geq(fake.seen_ms[1] - fake.seen_ms[0], 990.0, "waited %.0f ms",
                  fake.seen_ms[1] - fake.seen_ms[0]);
    kc_llm_reply_free(&out);
    json_decref(m);
    kc_llm_free(llm);
}

Test(openai, rate_limit_every_time_ends_in_a_rate_limit_error)
{
    script(429, "Retry-After: 0\r\n", strdup("{\"error\":{\"message\":\"quota\"}}"), 0);
    struct kc_llm *llm = open_llm(5000, 2, NULL);
    json_t *m = ask("hi");
    struct kc_llm_reply out;
    struct kc_err err = {0};
    cr_assert_eq(kc_llm_chat(llm, m, NULL, NULL, &out, &err), -1);
    cr_assert_eq(err.code, KC_E_RATE_LIMIT);
    cr_assert(strstr(err.message, "HTTP 429"), "%s", err.message);
    cr_assert(strstr(err.message, "quota"), "%s", err.message);
    cr_assert_eq(fake.n_seen, 3);
    kc_llm_reply_free(&out);
    json_decref(m);
    kc_llm_free(llm);
}

Test(openai, server_errors_until_retries_run_out)
{
    script(503, NULL, strdup("{\"error\":{\"message\":\"overloaded\"}}"), 0);
    struct kc_llm *llm = open_llm(5000, 2, NULL);
    json_t *m = ask("hi");
    struct kc_llm_reply out;
    struct kc_err err = {0};
    cr_assert_eq(kc_llm_chat(llm, m, NULL, NULL, &out, &err), -1);
    cr_assert_eq(err.code, KC_E_UNAVAILABLE);
    cr_assert(strstr(err.message, "HTTP 503") && strstr(err.message, "3 attempt"), "%s",
              err.message);
    cr_assert_eq(fake.n_seen, 3);
    kc_llm_reply_free(&out);
    json_decref(m);
    kc_llm_free(llm);
}

Test(openai, client_errors_are_not_retried)
{
    script(401, NULL, strdup("{\"error\":{\"message\":\"bad key\"}}"), 0);
    struct kc_llm *llm = open_llm(5000, 3, NULL);
    json_t *m = ask("hi");
    struct kc_llm_reply out;
    struct kc_err err = {0};
    cr_assert_eq(kc_llm_chat(llm, m, NULL, NULL, &out, &err), -1);
    cr_assert(strstr(err.message, "HTTP 401") && strstr(err.message, "bad key"), "%s", err.message);
    cr_assert_eq(fake.n_seen, 1);
    kc_llm_reply_free(&out);
    json_decref(m);
    kc_llm_free(llm);
}

Test(openai, malformed_json_is_a_clear_error)
{
    script(200, NULL, strdup("{\"choices\": [ {\"message\": "), 0);
    struct kc_llm *llm = open_llm(5000, 3, NULL);
    json_t *m = ask("hi");
    struct kc_llm_reply out;
    struct kc_err err = {0};
    cr_assert_eq(kc_llm_chat(llm, m, NULL, NULL, &out, &err), -1);
    cr_assert_eq(err.code, KC_E_UNPROCESSABLE);
    cr_assert(strstr(err.message, "openai: reply is not valid JSON"), "%s", err.message);
    cr_assert_eq(fake.n_seen, 1, "a protocol error is not retried");
    kc_llm_reply_free(&out);
    json_decref(m);
    kc_llm_free(llm);
}

Test(openai, reply_without_content_is_a_clear_error)
{
    script(200, NULL, strdup("{\"object\":\"chat.completion\",\"choices\":[]}"), 0);
    struct kc_llm *llm = open_llm(5000, 0, NULL);
    json_t *m = ask("hi");
    struct kc_llm_reply out;
    struct kc_err err = {0};
    cr_assert_eq(kc_llm_chat(llm, m, NULL, NULL, &out, &err), -1);
    cr_assert(strstr(err.message, "no choices[0].message.content"), "%s", err.message);
    kc_llm_reply_free(&out);
    json_decref(m);
    kc_llm_free(llm);
}

Test(openai, invalid_structured_reply_is_retried_with_the_error)
{
    script(200, NULL, completion("{\"score\": \"high\", \"reason\": \"x\"}"), 0);
    script(200, NULL, completion("```json\n{\"score\": 65, \"reason\": \"fixed\"}\n```"), 0);
    struct kc_llm *llm = open_llm(5000, 0, NULL);
    json_t *m = ask("rate"), *s = schema();
    struct kc_llm_reply out;
    struct kc_err err = {0};
    cr_assert_eq(kc_llm_chat(llm, m, NULL, s, &out, &err), 0, "%s", err.message);
    cr_assert_eq(out.attempts, 2);
    cr_assert_eq(json_integer_value(json_object_get(out.json, "score")), 65);
    cr_assert_eq(json_array_size(out.rejected), 1);
    const char *why = json_string_value(json_object_get(json_array_get(out.rejected, 0), "error"));
    cr_assert(strstr(why, "$.score: expected integer, got string"), "%s", why);
    cr_assert(strstr(fake.seen_body[1], "$.score: expected integer"),
              "the retry tells the model what was wrong: %s", fake.seen_body[1]);
    kc_llm_reply_free(&out);
    json_decref(m);
    json_decref(s);
    kc_llm_free(llm);
}

Test(openai, never_valid_structured_reply_fails_after_the_retries)
{
    script(200, NULL, completion("Sure! Here is the JSON: {\"score\": 3}"), 0);
    struct kc_llm *llm = open_llm(5000, 0, NULL);
    json_t *m = ask("rate"), *s = schema();
    struct kc_llm_params p = kc_llm_params_default();
    p.schema_retries = 2;
    struct kc_llm_reply out;
    struct kc_err err = {0};
    cr_assert_eq(kc_llm_chat(llm, m, &p, s, &out, &err), -1);
    cr_assert_eq(err.code, KC_E_UNPROCESSABLE);
    cr_assert(strstr(err.message, "no valid structured reply after 3 attempt"), "%s", err.message);
    cr_assert(strstr(err.message, "not JSON"), "%s", err.message);
    cr_assert_eq(out.attempts, 3);
    cr_assert_eq(json_array_size(out.rejected), 3);
    cr_assert_null(out.json);
    cr_assert_eq(fake.n_seen, 3);
    kc_llm_reply_free(&out);
    json_decref(m);
    json_decref(s);
    kc_llm_free(llm);
}

Test(openai, validated_replies_are_cached_in_redis)
{
    cr_assert_eq(kc_test_redis_start(&srv), 0);
    struct kc_err err = {0};
    redis = kc_redis_new(srv.url, 2, 2000, &err);
    cr_assert_not_null(redis, "%s", err.message);
    script(200, NULL, completion("{\"score\": 1, \"reason\": \"r\"}"), 0);
    struct kc_llm *llm = open_llm(5000, 0, redis);
    json_t *m = ask("cache me"), *s = schema();
    struct kc_llm_params p = kc_llm_params_default();
    struct kc_llm_reply out;
    cr_assert_eq(kc_llm_chat(llm, m, &p, s, &out, &err), 0, "%s", err.message);
    cr_assert(!out.cached);
    kc_llm_reply_free(&out);
    cr_assert_eq(kc_llm_chat(llm, m, &p, s, &out, &err), 0, "%s", err.message);
    cr_assert(out.cached);
    cr_assert_eq(out.attempts, 0);
    cr_assert_eq(json_integer_value(json_object_get(out.json, "score")), 1);
    kc_llm_reply_free(&out);
    cr_assert_eq(fake.n_seen, 1, "the second call was served from Redis");

    char key[96];
    cr_assert_eq(kc_llm_cache_key(llm, m, &p, s, key, sizeof key), 0);
    cr_assert_eq(strlen(key), strlen("kc:agent:llm:") + 64);
    redisReply *rep = kc_redis_cmd(redis, &err, "TTL %s", key);
    cr_assert(rep && rep->type == REDIS_REPLY_INTEGER && rep->integer > 0);
    freeReplyObject(rep);

    p.temperature = 0.5; /* another parameter: another key */
    cr_assert_eq(kc_llm_chat(llm, m, &p, s, &out, &err), 0, "%s", err.message);
    cr_assert(!out.cached);
    kc_llm_reply_free(&out);
    cr_assert_eq(fake.n_seen, 2);
    json_decref(m);
    json_decref(s);
    kc_llm_free(llm);
}

Test(openai, provider_none_and_bad_configuration)
{
    struct kc_err err = {0};
    struct kc_llm_options none = {0};
    struct kc_llm *llm = kc_llm_new(&none, &err);
    cr_assert_not_null(llm);
    cr_assert(!kc_llm_enabled(llm));
    json_t *m = ask("x");
    struct kc_llm_reply out;
    cr_assert_eq(kc_llm_chat(llm, m, NULL, NULL, &out, &err), -1);
    cr_assert_eq(err.code, KC_E_UNAVAILABLE);
    cr_assert(strstr(err.message, "KOCRUIT_LLM_PROVIDER=none"), "%s", err.message);
    kc_llm_reply_free(&out);
    kc_llm_free(llm);
    json_decref(m);

    struct kc_llm_options bad = {.provider = "gpt"};
    cr_assert_null(kc_llm_new(&bad, &err));
    cr_assert_str_eq(err.field, "KOCRUIT_LLM_PROVIDER");
    struct kc_llm_options nomodel = {.provider = "openai", .base_url = "http://127.0.0.1:1"};
    cr_assert_null(kc_llm_new(&nomodel, &err));
    cr_assert_str_eq(err.field, "KOCRUIT_LLM_MODEL");
    struct kc_llm_options nollama = {.provider = "llama", .gguf = "/nonexistent/model.gguf"};
    cr_assert_null(kc_llm_new(&nollama, &err));
    cr_assert(strstr(err.message, "/nonexistent/model.gguf"), "%s", err.message);
}

Test(openai, connection_refused_is_unavailable)
{
    int port = kc_test_free_port();
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d/v1", port);
    struct kc_llm_options o = {
        .provider = "openai", .base_url = base, .model = "m", .http_retries = 1, .backoff_ms = 10};
    struct kc_err err = {0};
    struct kc_llm *llm = kc_llm_new(&o, &err);
    json_t *m = ask("x");
    struct kc_llm_reply out;
    cr_assert_eq(kc_llm_chat(llm, m, NULL, NULL, &out, &err), -1);
    cr_assert_eq(err.code, KC_E_UNAVAILABLE);
    cr_assert(strstr(err.message, "2 attempt"), "%s", err.message);
    kc_llm_reply_free(&out);
    json_decref(m);
    kc_llm_free(llm);
}
