"""argon2 made cheap for the unit tests: the rules around passwords are tested here, argon2's cost
in production (test_sign_in_hardening checks the application's own hasher keeps the defaults)."""

from __future__ import annotations

from argon2 import PasswordHasher

CHEAP_ARGON2 = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
