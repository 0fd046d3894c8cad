/* SPDX-License-Identifier: MIT */
/*
 * Mutation hooks for ordering rules.
 *
 * Every ordering site names its rule (see docs/locking.md).  A mutant
 * build passes -DMUTATE_<SITE>=1 (for example -DMUTATE_R5_ENTER=1) and
 * mutated(R5_ENTER) becomes the constant 1 at that site, removing the
 * fence or turning the atomic into a plain access.  In every other build
 * it is the constant 0 and the compiler drops the dead branch, so normal
 * and release builds carry no trace of it.  tools/mutation-test builds
 * the mutants listed in tests/mutations/ and requires each to be killed.
 */
#ifndef LIB_MUTATE_H
#define LIB_MUTATE_H

#include "lib/compiler.h"

#define mutated(site)	is_defined(MUTATE_##site)

#endif /* LIB_MUTATE_H */
