/*
 * llm_private.h — the provider interface inside the LLM module (llm.c, llm_openai.c,
 * llm_llama.c). Not for other modules: they use llm.h.
 *
 * A backend turns a conversation into one reply text; everything about JSON, schemas, retries
 * on invalid replies and caching is llm.c's job, so every backend gets it the same way.
 */
#ifndef KC_AGENT_LLM_PRIVATE_H
#define KC_AGENT_LLM_PRIVATE_H

#include "llm.h"

struct kc_llm_backend {
    const char *name;
    /* One completion: *text is a malloc'd reply (caller frees). want_json asks the backend
     * for a JSON-only reply where the protocol can say so. Thread-safe. */
    int (*complete)(void *impl, const json_t *messages, const struct kc_llm_params *params,
                    bool want_json, char **text, struct kc_err *err);
    void (*destroy)(void *impl);
};

/* Each fills *impl and *be, or fails with err. identity (cap bytes) gets the model identity
 * used in cache keys. */
int kc_llm_openai_open(const struct kc_llm_options *opt, void **impl,
                       const struct kc_llm_backend **be, char *identity, size_t cap,
                       struct kc_err *err);
int kc_llm_llama_open(const struct kc_llm_options *opt, void **impl,
                      const struct kc_llm_backend **be, char *identity, size_t cap,
                      struct kc_err *err);

#endif
