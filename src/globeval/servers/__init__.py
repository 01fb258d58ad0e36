"""Servers globeval starts itself: a fault-injecting OpenAI-compatible mock, llama.cpp servers."""
