"""The Language Confusion Benchmark (Marchisio et al. 2024): data, prompts and the reference's
line- and word-level scoring (LPR, WPR, LCPR)."""
