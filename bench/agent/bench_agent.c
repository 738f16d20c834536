/*
 * bench_agent.c — throughput and latency of the agent's text layer on synthetic resumes.
 *
 * Generator: resume i is a pure function of i (xorshift seeded by i): Korean or English (3:2),
 * a profile group (backend, frontend, data, ml, devops, design, marketing, sales), 2–4 jobs with
 * date ranges, 3–6 bullets per job composed word by word (context, action, impact clauses filled
 * with skills of the profile — lexicon surfaces in Korean or English spelling — domains, numbers
 * and pseudo-random project names), then education and a skills line. Regenerating a resume from
 * its id is how the similarity fetch callback returns candidate texts (the index stores no text,
 * as in the service). All resumes share the generator's sentence skeleton, so an unrelated
 * synthetic resume often has a near neighbour above the cosine threshold: the "unrelated reported
 * similar" count measures the generator, not real resumes (see test_text_sim.c for the corpus).
 *
 * Measures (wall clock, CLOCK_MONOTONIC; CPU time printed beside it, the machine is shared):
 *   screening   resumes/s over the 10k set, one thread (kc_screen_text against a compiled job)
 *   index build prepare (2 threads) + add (one thread, as under the service's write lock) of the
 *               10k and 100k sets
 *   query       median and p99 latency of kc_sim_query (k=5, fetch + TF-IDF confirmation) for
 *               queries that are 30%-edited copies of indexed resumes (recall reported) and
 *               unrelated new resumes, against the 10k and 100k indexes
 *   memory      VmRSS / VmHWM after the 100k index; serialised index size
 * Usage: bench_agent [n_large [all|sim]]   (default 100000 all; "sim" skips screening and the
 * 10k index). The last line is the summary the project's bench runner collects.
 * Diagnostics: BENCH_VERBOSE=1 prints the top hit of every query (and details of any missed
 * copy); BENCH_DUMP=1 prints one unrelated query next to its nearest indexed resume.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "text/screen.h"
#include "text/sim.h"
#include "text/textkit.h"

#define N_SMALL   10000
#define N_QUERIES 300
#define MAX_TEXT  8192

static const struct kc_textkit *kit;

struct rng {
    uint64_t s;
};

static uint64_t next(struct rng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return r->s;
}

static uint32_t pick(struct rng *r, uint32_t n)
{
    return (uint32_t)(next(r) % n);
}

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_s(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

/* CPU time of this thread: the machine is shared, so wall time alone overstates costs. */
static double cpu_s(void)
{
    return clock_s(CLOCK_THREAD_CPUTIME_ID);
}

/* ---- generator ---- */

static const char *const PROFILES[] = {"backend", "frontend", "data",      "ml",
                                       "devops",  "design",   "marketing", "sales"};
static const char *const SURNAMES[] = {"김", "이", "박", "최", "정", "강", "조", "윤", "장", "임"};
static const char *const GIVEN[] = {"민준", "서연", "도윤", "하은", "지호", "수아", "예준", "지유",
                                    "시우", "서윤", "주원", "하린", "지훈", "채원", "건우", "유나"};
static const char *const EN_FIRST[] = {"Daniel", "Sarah", "Emma",  "Liam",  "Olivia", "Noah",
                                       "Mia",    "James", "Grace", "Ethan", "Chloe",  "Ryan"};
static const char *const EN_LAST[] = {"Kim",   "Lee",  "Park",   "Cho",  "Smith",
                                      "Brown", "Nair", "Garcia", "Chen", "Wilson"};
static const char *const ORGS_KO[] = {"네오테크",   "한빛소프트",  "그린커머스", "스마트로직",
                                      "블루웨이브", "넥스트페이",  "코드브릿지", "데이터온",
                                      "모바일랩",   "클라우드나인"};
static const char *const ORGS_EN[] = {"Brightcart",   "Nimbus Labs",   "PayBridge", "Streamly",
                                      "Orbit Health", "Quanta Retail", "Lumo",      "Northwind"};
static const char *const DOMAIN_KO[] = {"결제", "정산", "주문", "배송", "회원", "추천",
                                        "검색", "광고", "예약", "채팅", "알림", "리포트"};
static const char *const DOMAIN_EN[] = {
    "payments", "settlement", "orders",   "shipping", "accounts",      "recommendations",
    "search",   "ads",        "bookings", "chat",     "notifications", "reporting"};
/* A bullet is composed word by word: context (adjective, domain, unit), action (object built
 * on a skill, verb) and impact (metric, pattern with a number), each from 6-12 variants, so
 * resumes share vocabulary the way real ones do without sharing whole sentences. */
static const char *const ADJ_KO[] = {"대규모", "신규", "레거시", "글로벌", "사내",
                                     "실시간", "B2B",  "모바일", "차세대", "핵심"};
static const char *const UNIT_KO[] = {"플랫폼", "서비스", "시스템",   "프로젝트", "파이프라인",
                                      "제품",   "인프라", "백오피스", "앱",       "솔루션"};
static const char *const OBJ_KO[] = {"아키텍처",    "캐시 계층",       "배치 작업",   "API",
                                     "데이터 모델", "배포 파이프라인", "테스트 환경", "모니터링",
                                     "검색 기능",   "이벤트 처리",     "권한 관리",   "대시보드"};
static const char *const VERB_KO[] = {"설계",   "구축", "개선", "재작성", "자동화",
                                      "최적화", "도입", "운영", "표준화", "이관"};
static const char *const METRIC_KO[] = {"응답 시간", "처리량",    "월 비용",       "장애 건수",
                                        "배포 시간", "전환율",    "고객 문의",     "정확도",
                                        "이탈률",    "빌드 시간", "메모리 사용량", "에러율"};
static const char *const IMPACT_KO[] = {"%s %u%% 개선으로 이어졌습니다.",
                                        "%s %u%% 감소라는 결과를 냈습니다.",
                                        "%s 지표가 %u%% 좋아졌습니다.",
                                        "결과적으로 %s %u%% 단축.",
                                        "%s 기준 %u%% 향상.",
                                        "%s: 전년 대비 %u%% 개선."};
static const char *const ADJ_EN[] = {"large-scale", "new", "legacy", "global",          "internal",
                                     "real-time",   "B2B", "mobile", "next-generation", "core"};
static const char *const UNIT_EN[] = {"platform", "service", "system",         "project",
                                      "pipeline", "product", "infrastructure", "back office",
                                      "app",      "solution"};
static const char *const OBJ_EN[] = {
    "architecture",   "cache layer",         "batch jobs",       "APIs",
    "data model",     "deployment pipeline", "test environment", "monitoring",
    "search feature", "event processing",    "access control",   "dashboards"};
static const char *const VERB_EN[] = {"designed",     "built",     "improved",   "rewrote",
                                      "automated",    "optimised", "introduced", "ran",
                                      "standardised", "migrated"};
static const char *const METRIC_EN[] = {
    "latency",         "throughput", "monthly cost", "incident count", "deploy time", "conversion",
    "support tickets", "accuracy",   "churn",        "build time",     "memory use",  "error rate"};
static const char *const IMPACT_EN[] = {"improving %s by %u%%.",
                                        "cutting %s by %u%%.",
                                        "which moved %s %u%% in the right direction.",
                                        "with %s down %u%% year on year.",
                                        "and %s improved %u%%.",
                                        "lifting %s by %u%%."};
#define ARRLEN(a) (uint32_t)(sizeof(a) / sizeof((a)[0]))

struct profile_skills {
    uint32_t *entries;
    size_t n;
};

static struct profile_skills prof[8];
static uint32_t *all_entries;
static size_t n_all;

static void init_profiles(void)
{
    size_t ne = kc_lex_size(kit->skills);
    all_entries = malloc(ne * sizeof *all_entries);
    for (int p = 0; p < 8; p++) {
        prof[p].entries = malloc(ne * sizeof(uint32_t));
        int g = kc_lex_group_find(kit->skills, PROFILES[p]);
        for (size_t e = 0; e < ne; e++)
            if ((int)kc_lex_entry_at(kit->skills, e)->group == g)
                prof[p].entries[prof[p].n++] = (uint32_t)e;
    }
    for (size_t e = 0; e < ne; e++) all_entries[n_all++] = (uint32_t)e;
}

/* A skill surface: mostly the profile's, sometimes any; Korean spelling for Korean resumes. */
static const char *skill(struct rng *r, int p, bool ko)
{
    const struct profile_skills *ps = &prof[p];
    uint32_t e = (pick(r, 5) > 0 && ps->n) ? ps->entries[pick(r, (uint32_t)ps->n)]
                                           : all_entries[pick(r, (uint32_t)n_all)];
    const struct kc_lex_entry *en = kc_lex_entry_at(kit->skills, e);
    if (!ko || en->n_surfaces < 2 || pick(r, 2)) return en->canonical;
    for (size_t s = 1; s < en->n_surfaces; s++)
        if ((unsigned char)en->surfaces[s][0] >= 0xE0) return en->surfaces[s];
    return en->canonical;
}

struct out {
    char *p;
    size_t n, cap;
};

static void emit(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(o->p + o->n, o->cap - o->n, fmt, ap);
    va_end(ap);
    if (k > 0) o->n = o->n + (size_t)k < o->cap ? o->n + (size_t)k : o->cap - 1;
}

/* A pseudo-random project code name (2-3 syllables): the unique names every real resume has. */
static void code_name(struct out *o, struct rng *r, bool ko)
{
    static const char *const SYL_KO[] = {"가", "나", "다", "라", "마",   "바",  "사",
                                         "아", "자", "차", "카", "타",   "파",  "하",
                                         "온", "별", "솔", "빛", "누리", "미르"};
    static const char *const SYL_EN[] = {"ka",  "lo",  "mi",  "ra",  "ve",  "to",  "sa",
                                         "ne",  "qu",  "zo",  "bri", "dal", "fen", "gor",
                                         "hal", "jin", "kor", "lum", "nex", "vor"};
    int n = 2 + (int)pick(r, 2);
    for (int i = 0; i < n; i++) emit(o, "%s", ko ? SYL_KO[pick(r, 20)] : SYL_EN[pick(r, 20)]);
}

static void bullet(struct out *o, struct rng *r, int p, bool ko)
{
    if (pick(r, 2)) {
        emit(o, ko ? "- '" : "- Project '");
        code_name(o, r, ko);
        emit(o, ko ? "' 프로젝트: " : "': ");
    }
    const char *d = ko ? DOMAIN_KO[pick(r, 12)] : DOMAIN_EN[pick(r, 12)];
    const char *a = skill(r, p, ko), *b = skill(r, p, ko);
    unsigned n = 2 + pick(r, 90);
    if (ko) {
        emit(o, "%s%s %s %s에서 ", o->n && o->p[o->n - 1] == '\n' ? "- " : "",
             ADJ_KO[pick(r, ARRLEN(ADJ_KO))], d, UNIT_KO[pick(r, ARRLEN(UNIT_KO))]);
        if (pick(r, 2))
            emit(o, "%s와 %s 기반 ", a, b);
        else
            emit(o, "%s 기반 ", a);
        emit(o, "%s %s를 맡았고, ", OBJ_KO[pick(r, ARRLEN(OBJ_KO))],
             VERB_KO[pick(r, ARRLEN(VERB_KO))]);
        switch (pick(r, ARRLEN(IMPACT_KO))) {
        case 0: emit(o, "%s %u%% 개선으로 이어졌습니다.\n", METRIC_KO[pick(r, 12)], n); break;
        case 1: emit(o, "%s %u%% 감소라는 결과를 냈습니다.\n", METRIC_KO[pick(r, 12)], n); break;
        case 2: emit(o, "%s 지표가 %u%% 좋아졌습니다.\n", METRIC_KO[pick(r, 12)], n); break;
        case 3: emit(o, "결과적으로 %s %u%% 단축.\n", METRIC_KO[pick(r, 12)], n); break;
        case 4: emit(o, "%s 기준 %u%% 향상.\n", METRIC_KO[pick(r, 12)], n); break;
        default: emit(o, "%s: 전년 대비 %u%% 개선.\n", METRIC_KO[pick(r, 12)], n); break;
        }
        return;
    }
    emit(o, "%sOn the %s %s %s, ", o->n && o->p[o->n - 1] == '\n' ? "- " : "",
         ADJ_EN[pick(r, ARRLEN(ADJ_EN))], d, UNIT_EN[pick(r, ARRLEN(UNIT_EN))]);
    emit(o, "%s the %s ", VERB_EN[pick(r, ARRLEN(VERB_EN))], OBJ_EN[pick(r, ARRLEN(OBJ_EN))]);
    if (pick(r, 2))
        emit(o, "on %s and %s, ", a, b);
    else
        emit(o, "with %s, ", a);
    switch (pick(r, ARRLEN(IMPACT_EN))) {
    case 0: emit(o, "improving %s by %u%%.\n", METRIC_EN[pick(r, 12)], n); break;
    case 1: emit(o, "cutting %s by %u%%.\n", METRIC_EN[pick(r, 12)], n); break;
    case 2:
        emit(o, "which moved %s %u%% in the right direction.\n", METRIC_EN[pick(r, 12)], n);
        break;
    case 3: emit(o, "with %s down %u%% year on year.\n", METRIC_EN[pick(r, 12)], n); break;
    case 4: emit(o, "and %s improved %u%%.\n", METRIC_EN[pick(r, 12)], n); break;
    default: emit(o, "lifting %s by %u%%.\n", METRIC_EN[pick(r, 12)], n); break;
    }
}

/* Resume `id` into buf (NUL-terminated); returns its length. */
static size_t generate(uint64_t id, char *buf, size_t cap)
{
    struct rng r = {id * 0x9E3779B97F4A7C15ULL + 0x1234567ULL};
    for (int i = 0; i < 4; i++) next(&r);
    struct out o = {buf, 0, cap};
    bool ko = pick(&r, 5) < 3;
    int p = (int)pick(&r, 8);
    if (ko)
        emit(&o, "%s%s\n%s 개발자 | user%llu@example.com\n\n자기소개\n", SURNAMES[pick(&r, 10)],
             GIVEN[pick(&r, 16)], PROFILES[p], (unsigned long long)id);
    else
        emit(&o, "%s %s\n%s engineer | user%llu@example.com\n\nSummary\n", EN_FIRST[pick(&r, 12)],
             EN_LAST[pick(&r, 10)], PROFILES[p], (unsigned long long)id);
    uint32_t years = 2 + pick(&r, 12);
    if (ko)
        emit(&o, "%u년 차 %s 전문가로 %s와 %s를 주로 사용합니다.\n\n경력\n", years, PROFILES[p],
             skill(&r, p, ko), skill(&r, p, ko));
    else
        emit(&o,
             "Engineer with %u years of experience in %s, mostly with %s and %s.\n\nExperience\n",
             years, PROFILES[p], skill(&r, p, ko), skill(&r, p, ko));
    int jobs = 2 + (int)pick(&r, 3), end_y = 2024, end_m = 5;
    for (int j = 0; j < jobs; j++) {
        int len = 8 + (int)pick(&r, 40), sy = end_y - len / 12, sm = end_m - len % 12;
        if (sm < 1) sm += 12, sy--;
        const char *org = ko ? ORGS_KO[pick(&r, 10)] : ORGS_EN[pick(&r, 8)];
        if (j == 0)
            ko ? emit(&o, "(주)%s | %04d.%02d ~ 현재\n", org, sy, sm)
               : emit(&o, "%s, %04d-%02d - Present\n", org, sy, sm);
        else
            ko ? emit(&o, "(주)%s | %04d.%02d ~ %04d.%02d\n", org, sy, sm, end_y, end_m)
               : emit(&o, "%s, %04d-%02d - %04d-%02d\n", org, sy, sm, end_y, end_m);
        int bullets = 3 + (int)pick(&r, 4);
        for (int b = 0; b < bullets; b++) bullet(&o, &r, p, ko);
        end_y = sy - (int)pick(&r, 2);
        end_m = 1 + (int)pick(&r, 12);
    }
    if (ko)
        emit(&o, "\n학력\n%s대학교 컴퓨터공학과 학사 | %d.03 ~ %d.02\n\n기술\n",
             ORGS_KO[pick(&r, 10)], end_y - 4, end_y);
    else
        emit(&o, "\nEducation\nB.S. Computer Science, %s University, %d - %d\n\nSkills\n",
             EN_LAST[pick(&r, 10)], end_y - 4, end_y);
    for (int s = 0; s < 8; s++) emit(&o, "%s%s", s ? ", " : "", skill(&r, p, ko));
    emit(&o, "\n");
    return o.n;
}

/* ---- fetch callback: regenerate by id (ids >= 1<<40 are edited copies, never indexed) ---- */

struct fetch_buf {
    char text[MAX_TEXT];
};

static const char *fetch(void *ud, uint64_t id, size_t *len)
{
    struct fetch_buf *f = ud;
    *len = generate(id, f->text, sizeof f->text);
    return f->text;
}

/* Replace every third bullet line of text with one from another resume (~30% edit). */
static size_t edit_copy(const char *src, const char *other, char *out, size_t cap)
{
    size_t n = 0, line = 0;
    const char *o = other;
    for (const char *p = src; *p && n + 2 < cap;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        const char *use = p;
        size_t ulen = len;
        if (p[0] == '-' && line++ % 3 == 1) {
            const char *ob = strstr(o, "\n- ");
            if (ob) {
                ob++;
                const char *oe = strchr(ob, '\n');
                use = ob;
                ulen = oe ? (size_t)(oe - ob) : strlen(ob);
                o = ob + ulen;
            }
        }
        if (n + ulen + 2 >= cap) break;
        memcpy(out + n, use, ulen);
        n += ulen;
        out[n++] = '\n';
        p = e ? e + 1 : p + len;
    }
    out[n] = '\0';
    return n;
}

/* ---- measurements ---- */

static struct kc_jobspec *bench_job(void)
{
    json_t *j = json_pack(
        "{s:[{s:s, s:f, s:[s, s, s, s], s:[s]}, {s:s, s:f, s:[s, s, s, s]},"
        " {s:s, s:f, s:[s, s, s]}, {s:s, s:f, s:[], s:f}]}",
        "criteria", "name", "core", "weight", 0.4, "keywords", "Java", "Spring Boot", "JPA",
        "REST API", "required", "Java", "name", "infra", "weight", 0.25, "keywords", "Kubernetes",
        "Docker", "Kafka", "CI/CD", "name", "db", "weight", 0.15, "keywords", "MySQL", "PostgreSQL",
        "쿼리 최적화", "name", "years", "weight", 0.2, "keywords", "min_years", 3.0);
    struct kc_err err = {0};
    struct kc_jobspec *job = kc_jobspec_compile(kit, j, "job", &err);
    json_decref(j);
    if (!job) fprintf(stderr, "job: %s\n", err.message);
    return job;
}

static double bench_screen(size_t n)
{
    struct kc_jobspec *job = bench_job();
    if (!job) exit(1);
    char *buf = malloc(MAX_TEXT);
    struct kc_ym ref = {2024, 6};
    size_t pass = 0;
    double t0 = now_s(), c0 = cpu_s();
    for (size_t i = 0; i < n; i++) {
        size_t len = generate(i, buf, MAX_TEXT);
        struct kc_err err = {0};
        json_t *out = kc_screen_text(kit, job, buf, len, NULL, ref, &err);
        if (!out) {
            fprintf(stderr, "screen %zu: %s\n", i, err.message);
            exit(1);
        }
        pass += strcmp(json_string_value(json_object_get(out, "suggestion")), "pass") == 0;
        json_decref(out);
    }
    double dt = now_s() - t0, dc = cpu_s() - c0;
    double gen_t0 = now_s(), gen_c0 = cpu_s();
    for (size_t i = 0; i < n; i++) generate(i, buf, MAX_TEXT);
    double gen = now_s() - gen_t0, gen_c = cpu_s() - gen_c0;
    printf("screening: %zu resumes, one thread, generation excluded: wall %.2f s -> %.0f "
           "resumes/s; cpu %.2f s -> %.0f resumes/s; %zu suggested pass\n",
           n, dt - gen, n / (dt - gen), dc - gen_c, n / (dc - gen_c), pass);
    free(buf);
    kc_jobspec_free(job);
    return n / (dt - gen);
}

struct prep_job {
    size_t from, to;
    struct kc_sim_doc *docs;
};

static void *prep_worker(void *arg)
{
    struct prep_job *pj = arg;
    char *buf = malloc(MAX_TEXT);
    for (size_t i = pj->from; i < pj->to; i++) {
        size_t len = generate(i, buf, MAX_TEXT);
        struct kc_err err = {0};
        if (kc_sim_prepare(buf, len, &pj->docs[i], &err) != 0) {
            fprintf(stderr, "prepare %zu: %s\n", i, err.message);
            exit(1);
        }
    }
    free(buf);
    return NULL;
}

/* Build an index of n resumes: prepare in 2 threads (in batches), add in this thread. */
static struct kc_sim_index *bench_build(size_t n, double *seconds)
{
    struct kc_err err = {0};
    struct kc_sim_index *ix = kc_sim_create(NULL, &err);
    size_t batch = 2000;
    struct kc_sim_doc *docs = calloc(batch, sizeof *docs);
    double t0 = now_s(), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    for (size_t b0 = 0; b0 < n; b0 += batch) {
        size_t b1 = b0 + batch < n ? b0 + batch : n, mid = b0 + (b1 - b0) / 2;
        struct prep_job a = {b0, mid, docs - b0}, c = {mid, b1, docs - b0};
        pthread_t th;
        pthread_create(&th, NULL, prep_worker, &c);
        prep_worker(&a);
        pthread_join(th, NULL);
        for (size_t i = b0; i < b1; i++) {
            if (kc_sim_add_prepared(ix, i, &docs[i - b0], &err) != 0) {
                fprintf(stderr, "add %zu: %s\n", i, err.message);
                exit(1);
            }
            kc_sim_doc_free(&docs[i - b0]);
        }
    }
    *seconds = now_s() - t0;
    printf("index build @%zu: wall %.2f s, cpu %.2f s (prepare on 2 threads, add on 1)\n", n,
           *seconds, clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0);
    free(docs);
    return ix;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void bench_query(const struct kc_sim_index *ix, size_t n, double *median, double *p99)
{
    double lat[N_QUERIES], cpu[N_QUERIES];
    char *src = malloc(MAX_TEXT), *other = malloc(MAX_TEXT), *q = malloc(MAX_TEXT);
    struct fetch_buf *fb = malloc(sizeof *fb);
    struct rng r = {0xC0FFEEULL + n};
    size_t copies = 0, found = 0, unrelated = 0, false_pos = 0;
    for (int i = 0; i < N_QUERIES; i++) {
        size_t len;
        uint64_t target = next(&r) % n;
        bool copy = i % 2 == 0;
        if (copy) {
            generate(target, src, MAX_TEXT);
            generate((1ULL << 40) + (uint64_t)i, other, MAX_TEXT);
            len = edit_copy(src, other, q, MAX_TEXT);
        } else {
            len = generate((1ULL << 41) + (uint64_t)i, q, MAX_TEXT);
        }
        struct kc_sim_hit hits[5];
        size_t nh = 0;
        struct kc_err err = {0};
        double t0 = now_s(), c0 = cpu_s();
        if (kc_sim_query(ix, q, len, UINT64_MAX, 5, fetch, fb, hits, &nh, &err) != 0) {
            fprintf(stderr, "query: %s\n", err.message);
            exit(1);
        }
        lat[i] = (now_s() - t0) * 1000.0;
        cpu[i] = (cpu_s() - c0) * 1000.0;
        if (copy) {
            copies++;
            bool ok = nh > 0 && hits[0].id == target && hits[0].similar;
            found += ok;
            if (ok && getenv("BENCH_VERBOSE"))
                printf("  copy found: cosine %.3f jaccard %.3f hits %u\n", hits[0].cosine,
                       hits[0].jaccard, hits[0].band_hits);
            if (!ok && getenv("BENCH_VERBOSE"))
                printf("  copy of %llu missed: %zu hits, top %llu cosine %.3f jaccard %.3f\n",
                       (unsigned long long)target, nh, nh ? (unsigned long long)hits[0].id : 0ULL,
                       nh ? hits[0].cosine : 0.0, nh ? hits[0].jaccard : 0.0);
            if (!ok && getenv("BENCH_VERBOSE")) {
                struct kc_sim_doc da, db;
                kc_sim_prepare(q, len, &da, NULL);
                kc_sim_prepare(src, strlen(src), &db, NULL);
                unsigned same = 0, bands = 0;
                for (int k = 0; k < KC_SIM_PERM; k++) same += da.sig[k] == db.sig[k];
                for (int b = 0; b < 42; b++)
                    bands += memcmp(da.sig + 3 * b, db.sig + 3 * b, 6) == 0;
                printf("    target: jaccard %.3f, shared bands %u, cosine %.3f\n", same / 128.0,
                       bands, kc_sim_cosine(ix, q, len, src, strlen(src)));
                kc_sim_doc_free(&da);
                kc_sim_doc_free(&db);
            }
        } else {
            unrelated++;
            false_pos += nh > 0 && hits[0].similar;
            if (getenv("BENCH_VERBOSE") && nh > 0)
                printf("  unrelated top: cosine %.3f jaccard %.3f\n", hits[0].cosine,
                       hits[0].jaccard);
            if (getenv("BENCH_DUMP") && nh > 0 && i == 1) {
                size_t l2;
                printf("QUERY:\n%s\nTOP (%.3f):\n%s\n", q, hits[0].cosine,
                       fetch(fb, hits[0].id, &l2));
            }
        }
    }
    qsort(lat, N_QUERIES, sizeof *lat, cmp_double);
    qsort(cpu, N_QUERIES, sizeof *cpu, cmp_double);
    *median = lat[N_QUERIES / 2];
    *p99 = lat[(N_QUERIES * 99) / 100];
    printf("query @%zu (k=5, fetch + cosine; %d queries): wall median %.2f ms p99 %.2f ms max "
           "%.2f ms; cpu median %.2f ms p99 %.2f ms; edited copies found %zu/%zu, unrelated "
           "reported similar %zu/%zu\n",
           n, N_QUERIES, *median, *p99, lat[N_QUERIES - 1], cpu[N_QUERIES / 2],
           cpu[(N_QUERIES * 99) / 100], found, copies, false_pos, unrelated);
    free(src);
    free(other);
    free(q);
    free(fb);
}

static void memory(const char *when)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0 || strncmp(line, "VmHWM:", 6) == 0)
            printf("memory %s: %s", when, line);
    if (f) fclose(f);
}

int main(int argc, char **argv)
{
    size_t n_large = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
    struct kc_err err = {0};
    struct kc_textkit *k = kc_textkit_load(NULL, &err);
    if (!k) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    kit = k;
    init_profiles();
    char sample[MAX_TEXT];
    size_t total = 0;
    for (int i = 0; i < 1000; i++) total += generate((uint64_t)i, sample, sizeof sample);
    printf("generator: mean resume %zu bytes\n", total / 1000);
    const char *mode = argc > 2 ? argv[2] : "all";
    double screen = strcmp(mode, "sim") == 0 ? 0 : bench_screen(N_SMALL);
    double med, p99, build_small, build_large;
    struct kc_sim_index *ix;
    if (strcmp(mode, "sim") != 0) {
        ix = bench_build(N_SMALL, &build_small);
        bench_query(ix, N_SMALL, &med, &p99);
        kc_sim_free(ix);
    }
    ix = bench_build(n_large, &build_large);
    memory("after large index");
    bench_query(ix, n_large, &med, &p99);
    unsigned char *buf;
    size_t len;
    double t0 = now_s();
    kc_sim_serialize(ix, &buf, &len, &err);
    double ser = now_s() - t0;
    t0 = now_s();
    struct kc_sim_index *back = kc_sim_deserialize(buf, len, &err);
    printf("serialise @%zu: %.1f MB in %.2f s, load %.2f s (%s)\n", n_large, len / 1048576.0, ser,
           now_s() - t0, back ? "ok" : err.message);
    kc_sim_free(back);
    free(buf);
    kc_sim_free(ix);
    kc_textkit_free(k);
    printf("agent: screen_per_s=%.0f sim_query_ms_100k=%.2f index_build_s_100k=%.2f\n", screen, med,
           build_large);
    return 0;
}
