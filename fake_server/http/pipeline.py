"""One request, end to end: the only place that knows the order of things.

1. Resolve, once: the route (operation or unknown route), the dialect, the
   session named by ``X-Fake-Session``, the end user, the stopwatch.
2. The guards (``guards``): a Host the server does not answer to, or a
   browser's change to the control plane from elsewhere, is refused (403).
3. Authorise (bearer key, or the admin token on the control plane). Only an
   authorised request may create a session; a refused one is recorded in the
   session it names if that session exists.
4. The session's fault plan, then the handler.
5. ``respond``: the contract check, the journal, the log line.
Any exception on the way is answered by ``respond_error``, the one place
that turns errors into the provider's envelope.
"""

from __future__ import annotations

import hmac
import logging
import math
from collections.abc import Iterable

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from fake_server.contract.operations import JSON_BODY
from fake_server.domain.clock import stopwatch
from fake_server.domain.errors import InvalidRequestError, NotFoundError, quoted
from fake_server.domain.permissions import end_user_problem
from fake_server.http import drops, guards
from fake_server.http.admin_paths import is_admin_path
from fake_server.http.context import Call, Document, Handler, Reply
from fake_server.http.control.auth import INSPECTOR_HEADER, cookie_token, query_token
from fake_server.http.errors import (
    Refused,
    internal_error,
    invalid_admin_token,
    invalid_api_key,
    scripted_error,
    unauthenticated,
    unknown_route,
    wrong_method,
)
from fake_server.http.headers import index_headers
from fake_server.http.responder import respond, respond_document, respond_dropped, respond_error
from fake_server.http.routes import Router, encodes_a_slash
from fake_server.http.server_state import ServerState
from fake_server.http.sessions.registry import SESSION_HEADER
from fake_server.http.sessions.settings import Settings
from fake_server.scenario.faults import FaultAction

SESSION_HEADER_BYTES = SESSION_HEADER.encode("latin-1")
# Parsed query strings, remembered: clients page with the same few queries.
# Bounded in entries and in the length of a remembered query string.
MAX_REMEMBERED_QUERIES = 256
MAX_REMEMBERED_QUERY_BYTES = 256
_queries: dict[bytes, QueryParams] = {}


class _Request(Request):
    """Starlette's request, with its query parameters parsed once per distinct query string.

    ``QueryParams`` is immutable, so one parse serves every request that
    sends the same bytes; parsing cost a list page about a fifth of its time.
    """

    @property
    def query_params(self) -> QueryParams:
        raw: bytes = self.scope["query_string"]
        params = _queries.get(raw)
        if params is None:
            params = QueryParams(raw)
            if len(raw) <= MAX_REMEMBERED_QUERY_BYTES:
                if len(_queries) >= MAX_REMEMBERED_QUERIES:
                    _queries.clear()
                _queries[raw] = params
        return params


logger = logging.getLogger("fake_server")
END_USER_PARAM = "X-On-Behalf-Of"


def resolve(server: ServerState, router: Router[Handler], scope: Scope, receive: Receive) -> Call:
    """Everything later steps need to know about the request, decided once; never raises."""
    elapsed = stopwatch()
    headers = index_headers(scope)
    method: str = scope["method"]
    path: str = scope["path"]
    raw_path: bytes | None = scope.get("raw_path")
    slash_encoded = False
    if raw_path is not None and encodes_a_slash(raw_path):
        slash_encoded = True
        path = raw_path.decode("latin-1")  # messages and logs show it as sent
    match = router.match(method, path, slash_encoded=slash_encoded)
    route = match.route
    admin = is_admin_path(path)
    raw_session = headers.get(SESSION_HEADER_BYTES)
    session_name = None if raw_session is None else raw_session.decode("latin-1")
    # Positional, in the order of Call's fields (named in the comments):
    # keywords cost this call, made on every request, about a third more.
    return Call(
        _Request(scope, receive),  # request
        server,  # server
        route,  # route
        match,  # match
        match.dialect,  # dialect
        session_name,  # session_name
        server.sessions.existing(session_name),  # session
        None,  # actor: decided once the request is authorised (see _end_user)
        elapsed,  # elapsed
        admin,  # admin
        # journaled: the control plane's own requests are not the client's.
        not admin and (route is None or route.dialect is not None),
        method,  # method
        path,  # path
        headers,  # headers
        None if route is None else route.operation_id,  # operation
    )


async def handle(call: Call) -> Response:
    try:
        route = call.route
        refusal = guards.refusal(
            call.request.scope,
            call.headers,
            call.method,
            call.admin,
            body_types=JSON_BODY if route is None else route.operation.body_types,
            allowed_hosts=call.server.settings.allowed_hosts,
        )
        if refusal is not None:
            raise Refused(refusal)
        if route is None:
            make = wrong_method if call.match.wrong_method else unknown_route
            raise Refused(make(call.method, call.path))
        if route.dialect is None:
            _authorise_admin(call)
        else:
            _authorise_provider(call)
            fault = call.state.faults.decide(route.operation_id, call.match.path_params)
            if fault is not None:
                call.fault = fault.rule_index
                faulted = await _apply(fault, call)
                if faulted is not None:
                    return faulted
            if route.refuses_expired:
                # The dialect's SDK documents 410 for this operation once its
                # store has expired (``Dialect.expired_store_answers_gone``).
                call.state.account.check_not_expired(
                    call.path_param("vector_store_id"), actor=call.actor
                )
        result = await route.handler(call)
    except Exception as error:
        return _answer_failure(call, error)
    if isinstance(result, Reply):
        return _answer(call, result.body, result.headers)
    if isinstance(result, Document):
        try:
            return respond_document(call, result)
        except Exception as error:
            return _answer_failure(call, error)
    return _answer(call, result, None)


def _answer(call: Call, body: object, headers: dict[str, str] | None) -> Response:
    try:
        return respond(call, 200, body, headers)
    except Exception as error:
        return _answer_failure(call, error)


def _answer_failure(call: Call, error: Exception) -> Response:
    try:
        return respond_error(call, error)
    except Exception:
        # A bug in checking, recording or encoding the answer: logged, and
        # the client still gets an envelope rather than a bare 500.
        logger.exception("could not answer %s %s", call.method, call.path)
        return _last_resort()


def _authorise_provider(call: Call) -> None:
    token = bearer_token(call.headers)
    if token is None:
        raise Refused(unauthenticated())
    sessions = call.server.sessions
    # A session that does not exist yet would start from the default one's
    # scenario, so the default session's keys decide.
    judge = call.session or sessions.default
    if not judge.accepts(token):
        raise Refused(invalid_api_key(token))
    if b"x-on-behalf-of" in call.headers:
        call.actor = _end_user(call.headers, call.request.scope["headers"])
    call.session = sessions.get(call.session_name)


def _end_user(headers: dict[bytes, bytes], listed: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The end user of ``X-On-Behalf-Of``, decoded as UTF-8; None without the header.

    A header that names no one end user is refused (``end_user_problem``): a
    blank one, read as "no end user", would act for the whole account. So is
    one sent twice: which of two end users a proxy or a server takes is
    anyone's guess.
    """
    raw = headers.get(b"x-on-behalf-of")
    if raw is None:
        return None
    if sum(1 for name, _ in listed if name == b"x-on-behalf-of") > 1:
        raise InvalidRequestError(
            "Invalid 'X-On-Behalf-Of' header: sent more than once. Send one end user.",
            END_USER_PARAM,
        )
    try:
        end_user = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequestError(
            "Invalid 'X-On-Behalf-Of' header: it must be UTF-8 text.", END_USER_PARAM
        ) from None
    problem = end_user_problem(end_user)
    if problem is not None:
        raise InvalidRequestError(
            f"Invalid 'X-On-Behalf-Of' header: {problem}. Send one end user's id, or no "
            "header to act for the whole account.",
            END_USER_PARAM,
        )
    return end_user


def _authorise_admin(call: Call) -> None:
    route = call.route
    assert route is not None
    operation = route.operation
    if not operation.open and not _admin_allowed(
        call, call.server.settings, operation.token_in_query
    ):
        raise Refused(invalid_admin_token())
    sessions = call.server.sessions
    # Open routes (health, OpenAPI) act on no session: they never create one.
    if operation.open:
        call.session = call.session or sessions.default
    elif operation.observes:
        # The inspector's reads look at a session, and must not bring back
        # one that was dropped or evicted while the page was open.
        session = sessions.existing(call.session_name)
        if session is None:
            raise NotFoundError(f"No session named {quoted(call.session_name or '')}.", "name")
        call.session = session
    else:
        call.session = sessions.get(call.session_name)


def _admin_allowed(call: Call, settings: Settings, token_in_query: bool) -> bool:
    """The admin token as a bearer token, or as the inspector's cookie.

    The cookie (HttpOnly, SameSite=Strict) is what a browser sends; a page
    of another origin could still make the browser send it (same site is
    any port of the host), so a change made with the cookie must also carry
    the inspector's header, which such a page cannot add without a CORS
    preflight that fake_server never grants. The page itself (``token_in_query``)
    takes the token once from its URL, to set the cookie.
    """
    expected = settings.admin_token
    if expected is None:
        return True
    candidates = [bearer_token(call.headers)]
    if call.method in {"GET", "HEAD"} or INSPECTOR_HEADER in call.headers:
        candidates.append(cookie_token(call.request))
    if token_in_query:
        candidates.append(query_token(call.request))
    return any(
        hmac.compare_digest(given.encode(), expected.encode())
        for given in candidates
        if given is not None
    )


async def _apply(fault: FaultAction, call: Call) -> Response | None:
    """Latency first (wall time: it exists to exercise client timeouts), then the failure."""
    if fault.latency_seconds > 0:
        # Cut short if the server starts shutting down: the request then gets
        # its answer at once instead of being cancelled halfway.
        await call.server.shutdown.sleep(fault.latency_seconds)
    drop = drops.mode_of(fault.drop_connection)
    if drop is not None:
        return respond_dropped(call, drop)
    if fault.status is None:
        return None
    rule = fault.rule
    headers: dict[str, str] = {}
    if rule.retry_after_ms is not None:
        headers["retry-after-ms"] = str(rule.retry_after_ms)
        headers["retry-after"] = str(math.ceil(rule.retry_after_ms / 1000))
    raise Refused(scripted_error(fault.status, rule.message, rule.code), headers)


def bearer_token(headers: dict[bytes, bytes]) -> str | None:
    """The token of ``Authorization: Bearer <token>``, or None if there is none."""
    raw = headers.get(b"authorization")
    if raw is None:
        return None
    scheme, _, token = raw.decode("latin-1").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


async def run(
    server: ServerState, router: Router[Handler], scope: Scope, receive: Receive, send: Send
) -> None:
    call = resolve(server, router, scope, receive)
    response = await handle(call)
    await response(scope, receive, send)


def _last_resort() -> Response:
    """What a client gets if answering itself failed (a bug): the envelope, unchecked."""
    return JSONResponse(internal_error("The server had an error while answering.").envelope(), 500)
