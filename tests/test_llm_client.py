"""The real OpenAI-compatible client end to end against an HTTP stub of /v1/chat/completions on 127.0.0.1
(not an LLM), its configuration, and what leaves the machine: task text and code only."""

from __future__ import annotations

import json
import time

import pytest
from llm_stub import STUB_MODEL, StubResponder, stub_server

from ncorouting.errors import InputError
from ncorouting.llm.client import ENV_VARS, LLMConfig, LLMError, OpenAIChatBackend
from ncorouting.llm.loop import LoopSettings, solve_task
from ncorouting.llm.prompts import Paradigm
from ncorouting.llm.sandbox import Limits
from ncorouting.llm.tasks import load_benchmark

HELLO = [{"role": "user", "content": "hello"}]


class Echo:
    """Replies with the last message's text."""

    def reply(self, messages):
        return "echo: " + messages[-1]["content"]


@pytest.fixture
def server():
    with stub_server(Echo()) as srv:
        yield srv


def backend(server, **settings) -> OpenAIChatBackend:
    return OpenAIChatBackend(LLMConfig(base_url=server.base_url, model="my-model", **settings))


def test_real_client_sends_the_messages_and_records_backend_and_model(server):
    completion = backend(server, api_key="k-123", temperature=0.3).complete(HELLO)
    assert completion.text == "echo: hello" and completion.model == STUB_MODEL
    assert server.base_url in completion.backend and completion.prompt_tokens == 1
    request = server.requests[-1]
    assert request["path"] == "/v1/chat/completions"
    assert request["body"] == {"model": "my-model", "messages": HELLO, "temperature": 0.3}
    assert {k.lower(): v for k, v in request["headers"].items()}["authorization"] == "Bearer k-123"


def test_server_errors_are_retried(server):
    server.faults = ["500"]
    assert backend(server, retries=2).complete(HELLO).text == "echo: hello"
    assert len(server.requests) == 2


def test_persistent_errors_timeouts_and_garbage_end_in_a_clear_error(server):
    server.faults = ["500", "500"]
    with pytest.raises(LLMError, match="my-model.*500"):
        backend(server, retries=1).complete(HELLO)
    server.faults, server.slow_seconds = ["slow"], 3.0
    start = time.perf_counter()
    with pytest.raises(LLMError, match="timed out"):
        backend(server, retries=0, timeout=0.5).complete(HELLO)
    assert time.perf_counter() - start < 2.5
    server.faults = ["garbage"]
    with pytest.raises(LLMError, match="not a chat completion"):
        backend(server, retries=0).complete(HELLO)


def test_nothing_is_called_unless_an_endpoint_and_a_model_are_configured(server):
    with pytest.raises(LLMError, match="no LLM endpoint configured"):
        OpenAIChatBackend(LLMConfig.resolve(env={}))
    with pytest.raises(LLMError, match="--model"):
        OpenAIChatBackend(LLMConfig.resolve(env={ENV_VARS["base_url"]: server.base_url}))
    assert server.requests == []


def test_settings_from_environment_file_and_flags(tmp_path):
    env = {ENV_VARS["base_url"]: "http://env/v1", ENV_VARS["model"]: "env-model", "MY_KEY": "s3cret"}
    env[ENV_VARS["retries"]] = "5"
    assert LLMConfig.resolve(env=env).retries == 5
    config_file = tmp_path / "llm.yaml"
    config_file.write_text("model: file-model\napi_key_env: MY_KEY\ntemperature: 0.7\n")
    config = LLMConfig.resolve(config_file, env=env, temperature=0.1)
    assert (config.base_url, config.model, config.api_key, config.temperature) == (
        "http://env/v1",
        "file-model",
        "s3cret",
        0.1,
    )
    assert "s3cret" not in repr(config)
    config_file.write_text("api_key: s3cret\n")
    with pytest.raises(InputError, match="api_key_env"):
        LLMConfig.resolve(config_file, env={})
    config_file.write_text("modle: typo\n")
    with pytest.raises(InputError, match="unknown LLM setting"):
        LLMConfig.resolve(config_file, env={})
    with pytest.raises(InputError, match="invalid LLM setting"):
        LLMConfig.resolve(env={ENV_VARS["timeout"]: "soon"})


def test_only_the_task_text_and_code_leave_the_machine():
    task = next(t for t in load_benchmark(["tsptw"], [10]))
    with stub_server(StubResponder()) as srv:
        settings = LoopSettings(rounds=2, limits=Limits(cpu_seconds=20, wall_seconds=60))
        result = solve_task(task, backend(srv), Paradigm("code", "ortools"), settings)
    assert result.judgement_at(2).feasible and result.models == [STUB_MODEL]
    sent = [m for r in srv.requests for m in r["body"]["messages"] if m["role"] != "assistant"]
    assert all(set(r["body"]) == {"model", "messages", "temperature"} for r in srv.requests)
    text = json.dumps(sent)
    for x, y in task.instance["coords"]:
        assert f"[{x}, {y}]" not in text  # instance values never go out; only field names do
    assert json.dumps(task.instance["time_windows"][1:3])[1:-1] not in text
    assert task.description in sent[1]["content"]
