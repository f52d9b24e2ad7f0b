"""HTTP plumbing shared by search, metadata and the LLM matcher: timeouts, rate limits, safe XML."""
