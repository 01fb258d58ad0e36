"""LLM-as-judge: pairwise battles (m-ArenaHard, Bradley–Terry) and harm labels (Aya red-teaming).

Judge calls are ordinary generate requests: they go through the engine and its SQLite cache, so a
judging run that is killed and started again pays for no judgement twice.
"""
