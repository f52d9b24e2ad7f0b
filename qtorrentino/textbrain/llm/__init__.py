"""The optional LLM matcher: three wire formats, three validated jobs, a response cache."""
