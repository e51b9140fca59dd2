"""LLM backends behind one interface, `complete(messages) -> Completion`: any OpenAI-compatible chat
endpoint (hosted APIs, or local vLLM, llama.cpp and Ollama servers) through the `openai` package, and a
scripted backend that replays fixed replies for tests. Nothing is sent anywhere unless an endpoint and a
model are configured; every completion records the backend and the model that produced it."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Protocol

from ncorouting.errors import InputError, NcoroutingError

#: Environment variables read by `LLMConfig.resolve`.
ENV_VARS = {
    "base_url": "NCOROUTING_LLM_BASE_URL",
    "model": "NCOROUTING_LLM_MODEL",
    "api_key": "NCOROUTING_LLM_API_KEY",
    "temperature": "NCOROUTING_LLM_TEMPERATURE",
    "timeout": "NCOROUTING_LLM_TIMEOUT",
    "retries": "NCOROUTING_LLM_RETRIES",
}
Message = dict[str, str]


class LLMError(NcoroutingError):
    """The LLM endpoint is not configured, cannot be reached, or answered something unusable."""


@dataclass(frozen=True)
class LLMConfig:
    """Where and how to ask: endpoint base URL (e.g. http://localhost:8000/v1), model name, API key
    (None for local servers that need none), sampling temperature, timeout per request in seconds,
    and retries on connection errors, timeouts, 429 and 5xx answers."""

    base_url: str | None = None
    model: str | None = None
    api_key: str | None = field(default=None, repr=False)
    temperature: float = 0.0
    timeout: float = 120.0
    retries: int = 2

    @classmethod
    def resolve(
        cls, config_file: str | Path | None = None, env: Mapping[str, str] | None = None, **overrides
    ) -> LLMConfig:
        """Defaults, then the environment (`ENV_VARS`), then a YAML or JSON file, then `overrides` (None
        values skipped). A file names its key's variable with `api_key_env` rather than holding the key."""
        env = os.environ if env is None else env
        values: dict = {name: env[var] for name, var in ENV_VARS.items() if env.get(var)}
        if config_file is not None:
            values.update(_read_config_file(Path(config_file), env))
        values.update({k: v for k, v in overrides.items() if v is not None})
        known = {f.name: f.type for f in fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise InputError(f"unknown LLM setting(s) {unknown}; known: {sorted(known)}")
        try:
            typed = {
                k: (float(v) if k in ("temperature", "timeout") else int(v) if k == "retries" else str(v))
                for k, v in values.items()
            }
        except ValueError as exc:
            raise InputError(f"invalid LLM setting: {exc}") from None
        return replace(cls(), **typed)

    def require(self) -> None:
        """Refuse to go on without an endpoint and a model: nothing is called unless configured."""
        missing = [name for name in ("base_url", "model") if not getattr(self, name)]
        if missing:
            hint = ", ".join(f"--{m.replace('_', '-')} or {ENV_VARS[m]}" for m in missing)
            raise LLMError(f"no LLM endpoint configured: set {hint}")


def _read_config_file(path: Path, env: Mapping[str, str]) -> dict:
    try:
        text = path.read_text()
    except OSError as exc:
        raise InputError(f"cannot read the LLM config: {exc.strerror}", source=str(path)) from None
    import yaml

    try:
        doc = yaml.safe_load(text) if path.suffix.lower() in (".yaml", ".yml") else json.loads(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise InputError(f"not valid YAML/JSON: {exc}", source=str(path)) from None
    if not isinstance(doc, dict):
        raise InputError("the LLM config must be a mapping of settings", source=str(path))
    if "api_key" in doc:
        raise InputError("keep the API key out of the file: name its variable with 'api_key_env'", source=str(path))
    key_var = doc.pop("api_key_env", None)
    if key_var is not None:
        if not env.get(key_var):
            raise InputError(f"api_key_env names {key_var}, which is not set", source=str(path))
        doc["api_key"] = env[key_var]
    return doc


@dataclass(frozen=True)
class Completion:
    """One reply, with who produced it: backend label, model name (as the server reported it), time
    taken and token counts when the server gave them."""

    text: str
    backend: str
    model: str
    seconds: float
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class ChatBackend(Protocol):
    """Anything that answers a list of chat messages."""

    label: str

    def complete(self, messages: Sequence[Message]) -> Completion: ...


class OpenAIChatBackend:
    """An OpenAI-compatible /v1/chat/completions endpoint through the `openai` client (its own retries
    with backoff on connection errors, timeouts, 429 and 5xx)."""

    def __init__(self, config: LLMConfig):
        config.require()
        import openai

        self.config = config
        self.label = f"openai-compatible endpoint {config.base_url}"
        self._client = openai.OpenAI(
            base_url=config.base_url,
            api_key=config.api_key or "none",  # local servers ignore it; the client insists on one
            timeout=config.timeout,
            max_retries=config.retries,
        )

    @property
    def where(self) -> str:
        return f"{self.label} (model {self.config.model})"

    def complete(self, messages: Sequence[Message]) -> Completion:
        import openai

        start = time.perf_counter()
        try:
            response = self._client.chat.completions.create(
                model=self.config.model, messages=list(messages), temperature=self.config.temperature
            )
        except openai.OpenAIError as exc:
            raise LLMError(f"{self.where}: request failed ({self.config.retries} retries allowed): {exc}") from None
        except ValueError as exc:  # a 200 answer whose body is not JSON
            raise LLMError(f"{self.where}: the answer is not a chat completion ({exc})") from None
        if not getattr(response, "choices", None):
            raise LLMError(f"{self.where}: the answer holds no choice: {str(response)[:300]}")
        usage = getattr(response, "usage", None)
        return Completion(
            text=response.choices[0].message.content or "",
            backend=self.label,
            model=getattr(response, "model", None) or self.config.model,
            seconds=time.perf_counter() - start,
            prompt_tokens=getattr(usage, "prompt_tokens", None),
            completion_tokens=getattr(usage, "completion_tokens", None),
        )


class ScriptedBackend:
    """Replays fixed replies in order and keeps every message list it was sent: for tests and demos.
    Its results are labelled as a replay, never as an LLM's."""

    def __init__(self, replies: Sequence[str], label: str = "scripted replay (not an LLM)"):
        self.replies = list(replies)
        self.label = label
        self.received: list[list[Message]] = []

    @classmethod
    def from_file(cls, path: str | Path) -> ScriptedBackend:
        """Replies from a JSON file holding a list of strings."""
        try:
            replies = json.loads(Path(path).read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(f"cannot read scripted replies: {exc}", source=str(path)) from None
        if not isinstance(replies, list) or not all(isinstance(r, str) for r in replies):
            raise InputError("scripted replies must be a JSON list of strings", source=str(path))
        return cls(replies, label=f"scripted replay of {Path(path).name} (not an LLM)")

    def complete(self, messages: Sequence[Message]) -> Completion:
        self.received.append([dict(m) for m in messages])
        if len(self.received) > len(self.replies):
            raise LLMError(f"{self.label}: no reply left for request {len(self.received)}")
        return Completion(self.replies[len(self.received) - 1], self.label, "scripted", 0.0)
