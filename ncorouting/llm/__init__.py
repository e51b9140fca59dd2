"""LLM text-to-code for routing (after "From Words to Routes", Huang et al., 2024): a task in words becomes a
program written by an LLM (`client`, `prompts`), run in a sandbox (`sandbox`), repaired by self-debugging
and self-verification (`loop`) and judged by our checkers (`checkers`), never by the LLM; the 21-type
benchmark (`tasks`) is scored by `metrics` and run by `bench`. See docs/llm.md."""
