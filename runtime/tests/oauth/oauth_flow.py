#!/usr/bin/env python3
"""The official Python SDK client's OAuth flow, end to end, against a server
using the development authorization server (`Server::dev_auth`), such as
`cargo run --example oauth_dev -- --transport http --port 8000`:

    python oauth_flow.py http://127.0.0.1:8000/mcp

The client is `mcp.client.auth.OAuthClientProvider` with no client id, so it
discovers the protected resource and authorization server metadata, registers
itself (RFC 7591), authorizes with PKCE (the redirect handler GETs the
authorization URL without following the redirect and reads `code`, `state`
and `iss` from its Location), exchanges the code for a token and retries.
Then it lists and calls tools over Streamable HTTP, steps up to the `admin`
scope when a tool needs it, and reconnects with the stored token.

Works with mcp 1.x (httpx) and 2.x (httpx2). Prints PASS/FAIL lines and ends
with `oauth: N passed, N failed`; exits 1 on a failure, 2 if it cannot run.
"""

from __future__ import annotations

import json
import sys
import traceback
from importlib.metadata import version
from typing import Any
from urllib.parse import parse_qs, urlparse

import anyio
from mcp import ClientSession
from mcp.client.auth import OAuthClientProvider, TokenStorage
from mcp.shared.auth import OAuthClientInformationFull, OAuthClientMetadata, OAuthToken

try:  # mcp 2.x: httpx2, and the callback returns an AuthorizationCodeResult (RFC 9207 `iss`)
    import httpx2 as httpx
    from mcp.client.auth import AuthorizationCodeResult
except ImportError:  # mcp 1.x: httpx, and the callback returns (code, state)
    import httpx  # type: ignore[no-redef]

    AuthorizationCodeResult = None  # type: ignore[assignment,misc]

from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

SDK = version("mcp")
REDIRECT_URI = "http://127.0.0.1:9/callback"  # never contacted: the redirect is read, not followed
passed = 0
failed = 0


def check(name: str, ok: bool, detail: Any = "") -> None:
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS {name}")
    else:
        failed += 1
        print(f"FAIL {name}{': ' + str(detail) if detail != '' else ''}")


class MemoryStorage(TokenStorage):
    """Tokens and client registration, in memory."""

    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client_info: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client_info = client_info


class Browser:
    """Plays the user agent: follows the authorization URL one hop and keeps
    what the authorization server redirected back with."""

    def __init__(self) -> None:
        self.authorizations: list[dict[str, str]] = []
        self.callback: dict[str, str] = {}

    async def redirect_handler(self, authorization_url: str) -> None:
        query = {k: v[0] for k, v in parse_qs(urlparse(authorization_url).query).items()}
        self.authorizations.append(query)
        async with httpx.AsyncClient(follow_redirects=False, timeout=10) as client:
            response = await client.get(authorization_url)
        location = response.headers.get("location", "")
        if response.status_code not in (302, 303) or not location.startswith(REDIRECT_URI):
            raise RuntimeError(f"authorization answered {response.status_code} {location!r}: {response.text}")
        self.callback = {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
        if "code" not in self.callback:
            raise RuntimeError(f"authorization redirected without a code: {location}")

    async def callback_handler(self) -> Any:
        code, state, iss = self.callback.get("code", ""), self.callback.get("state"), self.callback.get("iss")
        if AuthorizationCodeResult is not None:
            return AuthorizationCodeResult(code=code, state=state, iss=iss)
        return code, state


def wire(model: Any) -> dict[str, Any]:
    """A result as on the wire (camelCase in both SDK lines; 2.x attributes are snake_case)."""
    return model.model_dump(by_alias=True, mode="json")


def result_json(result: Any) -> dict[str, Any]:
    """A tool result's structured content, else its first text parsed as JSON."""
    data = wire(result)
    structured = data.get("structuredContent")
    if isinstance(structured, dict):
        return structured
    for item in data.get("content") or []:
        if item.get("type") == "text":
            try:
                return json.loads(item["text"])
            except ValueError:
                return {"text": item["text"]}
    return {}


def result_text(result: Any) -> str:
    data = wire(result)
    return " ".join(i.get("text", "") for i in data.get("content") or [] if i.get("type") == "text")


async def session_over(url: str, provider: OAuthClientProvider, body: Any) -> None:
    async with create_mcp_http_client(auth=provider) as http:
        async with streamable_http_client(url, http_client=http) as streams:
            async with ClientSession(streams[0], streams[1]) as session:
                await body(session)


async def run(url: str) -> None:
    storage, browser = MemoryStorage(), Browser()
    provider = OAuthClientProvider(
        server_url=url,
        client_metadata=OAuthClientMetadata(
            client_name="oauth-flow-check",
            redirect_uris=[REDIRECT_URI],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
            token_endpoint_auth_method="none",
        ),
        storage=storage,
        redirect_handler=browser.redirect_handler,
        callback_handler=browser.callback_handler,
    )

    async def first(session: ClientSession) -> None:
        init = await session.initialize()
        server_info = wire(init).get("serverInfo") or {}
        check("initialize succeeds after the OAuth flow", server_info.get("name") == "oauth-dev", server_info)
        info = storage.client_info
        check(
            "the client registered itself dynamically (RFC 7591)",
            info is not None and bool(info.client_id) and browser.authorizations[0].get("client_id") == info.client_id,
            info,
        )
        first_auth = browser.authorizations[0] if browser.authorizations else {}
        check("the authorization request used PKCE S256", first_auth.get("code_challenge_method") == "S256", first_auth)
        check("the authorization request named the resource (RFC 8707)", first_auth.get("resource") == url, first_auth)
        check("the redirect carried the issuer (RFC 9207)", bool(browser.callback.get("iss")), browser.callback)
        check("a token is stored", storage.tokens is not None and bool(storage.tokens.access_token))

        names = [t.name for t in (await session.list_tools()).tools]
        check("tools/list shows whoami", "whoami" in names, names)
        check("tools/list hides admin_only without the admin scope", "admin_only" not in names, names)

        me = result_json(await session.call_tool("whoami", {}))
        check("whoami names dev-user", me.get("subject") == "dev-user", me)
        check("whoami names the registered client", info is not None and me.get("client_id") == info.client_id, me)

        # Step-up: a 403 insufficient_scope naming `admin` sends the client
        # through authorization again, for that scope.
        before = len(browser.authorizations)
        admin = await session.call_tool("admin_only", {})
        check("admin_only succeeds after a scope step-up", not wire(admin).get("isError") and "dev-user" in result_text(admin), admin)
        asked = browser.authorizations[-1].get("scope", "") if len(browser.authorizations) > before else ""
        check("the step-up asked for the admin scope", "admin" in asked.split(), browser.authorizations)
        me = result_json(await session.call_tool("whoami", {}))
        check("the new token grants admin", "admin" in (me.get("scopes") or []), me)

    await session_over(url, provider, first)

    # A new connection with the stored token needs no new authorization.
    before = len(browser.authorizations)

    async def second(session: ClientSession) -> None:
        await session.initialize()
        me = result_json(await session.call_tool("whoami", {}))
        check("a second connection reuses the stored token", me.get("subject") == "dev-user" and len(browser.authorizations) == before, me)

    await session_over(url, provider, second)

    # Without a token the endpoint refuses, naming its metadata.
    async with httpx.AsyncClient(timeout=10) as client:
        r = await client.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                              headers={"accept": "application/json, text/event-stream"})
    check("no token: 401 with resource_metadata", r.status_code == 401 and "resource_metadata=" in r.headers.get("www-authenticate", ""), r.status_code)


async def run_bounded(url: str) -> None:
    with anyio.fail_after(120):
        await run(url)


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    print(f"official Python SDK mcp {SDK}, OAuth against {sys.argv[1]}")
    try:
        anyio.run(run_bounded, sys.argv[1])
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        check("the flow runs to the end", False, repr(e))
    print(f"oauth: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
