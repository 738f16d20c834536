/*
 * test_trust_audit.c — the audit chain's entry hash: a reference vector computed
 * independently (python3: hashlib.sha256(('0'*64 + '1:1' '1:2' '~' '1:a' '1:t' '1:3' '~'
 * '2:{}' '3:100').encode())), field boundaries that must not collide, and that every field
 * and the previous hash take part.
 */
#include <criterion/criterion.h>
#include <sodium.h>
#include <string.h>

#include "trust_internal.h"

static struct kc_audit_entry base(void)
{
    return (struct kc_audit_entry){.id = 1,
                                   .company_id = 2,
                                   .actor_id = 0,
                                   .target_id = 3,
                                   .action = "a",
                                   .target_type = "t",
                                   .reason = NULL,
                                   .detail_json = "{}",
                                   .at = 100};
}

static void init(void)
{
    cr_assert_geq(sodium_init(), 0);
}

Test(trust_audit, reference_vector, .init = init)
{
    char h[65];
    struct kc_audit_entry e = base();
    kc_trust_audit_hash(KC_TRUST_ZERO_HASH, &e, h);
    cr_assert_str_eq(h, "7b1b048ff200a4af25a35f1494fc6a835227871008635edd9e2319d844905a2c");
}

Test(trust_audit, field_boundaries_do_not_collide, .init = init)
{
    char h1[65], h2[65];
    struct kc_audit_entry a = base(), b = base();
    a.action = "ab", a.target_type = "c";
    b.action = "a", b.target_type = "bc";
    kc_trust_audit_hash(KC_TRUST_ZERO_HASH, &a, h1);
    kc_trust_audit_hash(KC_TRUST_ZERO_HASH, &b, h2);
    cr_assert_str_neq(h1, h2);
    /* NULL reason differs from the empty string and from "~" */
    a = base(), b = base();
    b.reason = "";
    kc_trust_audit_hash(KC_TRUST_ZERO_HASH, &a, h1);
    kc_trust_audit_hash(KC_TRUST_ZERO_HASH, &b, h2);
    cr_assert_str_neq(h1, h2);
    b.reason = "~";
    kc_trust_audit_hash(KC_TRUST_ZERO_HASH, &b, h2);
    cr_assert_str_neq(h1, h2);
}

Test(trust_audit, every_field_and_prev_hash_count, .init = init)
{
    char ref[65], h[65];
    struct kc_audit_entry e = base();
    kc_trust_audit_hash(KC_TRUST_ZERO_HASH, &e, ref);
    for (int f = 0; f < 9; f++) {
        e = base();
        switch (f) {
        case 0: e.id = 2; break;
        case 1: e.company_id = 0; break;
        case 2: e.actor_id = 5; break;
        case 3: e.target_id = 4; break;
        case 4: e.action = "b"; break;
        case 5: e.target_type = "u"; break;
        case 6: e.reason = "r"; break;
        case 7: e.detail_json = "{ }"; break;
        default: e.at = 101; break;
        }
        kc_trust_audit_hash(KC_TRUST_ZERO_HASH, &e, h);
        cr_assert_str_neq(h, ref, "field %d does not change the hash", f);
    }
    e = base();
    kc_trust_audit_hash("1111111111111111111111111111111111111111111111111111111111111111", &e, h);
    cr_assert_str_neq(h, ref);
}
