"""Talking to OpenAI-compatible servers: payloads, endpoints, limits, retries and dispatch."""
