import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { ClientsService, type RegisteredClient } from '../client-registration/index.js';
import { checkedLookup } from '../common/http/outbound-fetch.js';
import { isPrivateAddress } from '../common/http/private-address.js';
import { newUlid } from '../common/crypto/ids.js';
import { generateToken, nowSeconds } from '../common/crypto/tokens.js';
import { JwtService } from '../keys/index.js';
import {
  BackchannelLogoutDeliveryEntity,
  type BackchannelDeliveryStatus,
} from './entities/backchannel-logout-delivery.entity.js';
import { TOKEN_SETTINGS } from './token.constants.js';
import type { TokenSettings } from './token.options.js';

/** The event member of every logout token (OIDC Back-Channel Logout 1.0 §2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** JOSE `typ` of logout tokens (OIDC Back-Channel Logout 1.0 §2.4, explicit typing per RFC 8725 §3.11). */
export const LOGOUT_TOKEN_TYP = 'logout+jwt';
/** Logout token lifetime, seconds: the spec recommends at most two minutes (§2.4). */
const LOGOUT_TOKEN_TTL_SECONDS = 120;
/** The relying party's answer body is read and dropped, never more than this. */
const MAX_RESPONSE_BYTES = 16 * 1024;

/** The session that ended: whose it was and which relying parties were signed in through it. */
export interface EndedSessionNotice {
  userId: string;
  /** The session's public id (`sid`), null for a session without one. */
  sid: string | null;
  clientIds: string[];
}

/** The outcome of one HTTP attempt. */
interface AttemptResult {
  ok: boolean;
  /** Worth another attempt (5xx, 429, network error, timeout); a 4xx other than 429 is final. */
  retryable: boolean;
  httpStatus: number | null;
  error: string | null;
}

/**
 * OpenID Connect Back-Channel Logout 1.0: when a login session ends, each relying party that was signed in
 * through it and registered a `backchannel_logout_uri` receives a logout token (§2.4: `typ` `logout+jwt`,
 * `iss`, `aud`, `iat`, `exp`, `jti`, `events`, `sub` and `sid`, never `nonce`) POSTed as the form
 * parameter `logout_token` (§2.5).
 *
 * Delivery is a server-side request to a client-chosen URL, so it goes through the `jwks_uri` SSRF guard
 * (https only, every resolved address checked in the socket's `lookup`, no redirects, a timeout), unless
 * `BACKCHANNEL_LOGOUT_ALLOW_PRIVATE=true` (tests, internal networks). Failed attempts (5xx, 429, network
 * errors, timeouts) are retried with exponential backoff up to `BACKCHANNEL_LOGOUT_MAX_ATTEMPTS`; every
 * delivery's status, attempts and last error are recorded in `backchannel_logout_deliveries`. The
 * sign-out response waits for the first attempts at most `BACKCHANNEL_LOGOUT_WAIT_MS`; retries run in the
 * background of the instance that ended the session.
 */
@Injectable()
export class BackchannelLogoutService implements OnApplicationShutdown {
  private readonly logger = new Logger(BackchannelLogoutService.name);
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly aborts = new Set<AbortController>();
  private stopped = false;

  constructor(
    @InjectRepository(BackchannelLogoutDeliveryEntity)
    private readonly deliveries: Repository<BackchannelLogoutDeliveryEntity>,
    private readonly clients: ClientsService,
    private readonly jwt: JwtService,
    @Inject(TOKEN_SETTINGS) private readonly settings: TokenSettings,
  ) {}

  /**
   * Sends a logout token to every relying party of the ended session that registered a
   * `backchannel_logout_uri`. Resolves when each first attempt has finished, or after
   * `BACKCHANNEL_LOGOUT_WAIT_MS` at the latest (the deliveries go on); never throws.
   */
  async notify(notice: EndedSessionNotice): Promise<void> {
    const first: Promise<void>[] = [];
    for (const clientId of [...new Set(notice.clientIds)]) {
      try {
        const client = await this.clients.findActiveById(clientId);
        if (!client?.backchannelLogoutUri) continue;
        first.push((await this.start(client, notice)).firstAttempt);
      } catch (e) {
        this.logger.error(
          `Back-channel logout for client ${clientId} could not start`,
          e instanceof Error ? e.stack : String(e),
        );
      }
    }
    if (first.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.settings.backchannelLogout.waitMs);
    });
    await Promise.race([Promise.allSettled(first), bound]);
    clearTimeout(timer);
  }

  /** Stops retries and aborts requests in flight: their rows stay `pending` with the attempts so far. */
  onApplicationShutdown(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const a of this.aborts) a.abort();
    this.aborts.clear();
  }

  /** Records the delivery and starts its first attempt; the promise settles after that attempt. */
  private async start(
    client: RegisteredClient,
    notice: EndedSessionNotice,
  ): Promise<{ firstAttempt: Promise<void> }> {
    const now = nowSeconds();
    const row: BackchannelLogoutDeliveryEntity = {
      id: newUlid(),
      clientId: client.clientId,
      userId: notice.userId,
      sid: notice.sid,
      jti: generateToken('', 24),
      status: 'pending',
      attempts: 0,
      lastHttpStatus: null,
      lastError: null,
      createdAt: now,
      updatedAt: now,
    };
    // §2.2: a client that requires `sid` cannot identify the session without it; nothing is sent.
    if (client.backchannelLogoutSessionRequired && !notice.sid) {
      await this.deliveries.insert({
        ...row,
        status: 'failed',
        lastError: 'backchannel_logout_session_required, but the session has no sid',
      });
      return { firstAttempt: Promise.resolve() };
    }
    await this.deliveries.insert(row);
    return { firstAttempt: this.attempt(row, client, 1) };
  }

  private async attempt(
    row: BackchannelLogoutDeliveryEntity,
    client: RegisteredClient,
    n: number,
  ): Promise<void> {
    let result: AttemptResult;
    try {
      // A fresh token per attempt (same `jti`): a retry after the backoff must not arrive expired.
      const token = await this.logoutToken(client, row);
      result = await this.post(client.backchannelLogoutUri!, token);
    } catch (e) {
      result = {
        ok: false,
        retryable: true,
        httpStatus: null,
        error: e instanceof Error ? e.message : String(e),
      };
    }
    const { maxAttempts, retryDelayMs } = this.settings.backchannelLogout;
    const retry = !result.ok && result.retryable && n < maxAttempts && !this.stopped;
    const status: BackchannelDeliveryStatus = result.ok
      ? 'delivered'
      : retry
        ? 'pending'
        : 'failed';
    try {
      await this.deliveries.update(
        { id: row.id },
        {
          status,
          attempts: n,
          lastHttpStatus: result.httpStatus,
          lastError: result.error ? result.error.slice(0, 500) : null,
          updatedAt: nowSeconds(),
        },
      );
    } catch (e) {
      this.logger.error('Recording a back-channel logout delivery failed', String(e));
    }
    if (!result.ok && !retry) {
      this.logger.warn(
        `Back-channel logout to client ${client.clientId} failed after ${n} attempt(s): ${result.error}`,
      );
    }
    if (retry) {
      const timer = setTimeout(
        () => {
          this.timers.delete(timer);
          void this.attempt(row, client, n + 1);
        },
        retryDelayMs * 2 ** (n - 1),
      );
      this.timers.add(timer);
    }
  }

  /** The logout token of one delivery (OIDC Back-Channel Logout 1.0 §2.4), signed like the ID tokens. */
  private logoutToken(
    client: RegisteredClient,
    row: BackchannelLogoutDeliveryEntity,
  ): Promise<string> {
    const iat = nowSeconds();
    const payload: Record<string, unknown> = {
      iss: this.settings.issuer,
      sub: row.userId,
      aud: client.clientId,
      iat,
      exp: iat + LOGOUT_TOKEN_TTL_SECONDS,
      jti: row.jti,
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    };
    if (row.sid) payload.sid = row.sid;
    return this.jwt.signJwt(payload, {
      typ: LOGOUT_TOKEN_TYP,
      alg: client.idTokenSignedResponseAlg ?? this.settings.idTokenAlg,
    });
  }

  /** One POST of `logout_token` (§2.5), through the SSRF guard; 2xx is success (§2.8: 200, or 204). */
  private post(uri: string, token: string): Promise<AttemptResult> {
    const { allowPrivate, timeoutMs } = this.settings.backchannelLogout;
    const fail = (error: string, retryable = false): AttemptResult => ({
      ok: false,
      retryable,
      httpStatus: null,
      error,
    });
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      return Promise.resolve(fail('backchannel_logout_uri is not a URL'));
    }
    if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) {
      return Promise.resolve(fail(`backchannel_logout_uri scheme ${url.protocol} refused`));
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // IP literals never reach `lookup`, so they are checked here.
    if (isIP(host) && !allowPrivate && isPrivateAddress(host)) {
      return Promise.resolve(fail(`backchannel_logout_uri address ${host} is private or reserved`));
    }
    const body = new URLSearchParams({ logout_token: token }).toString();
    const abort = new AbortController();
    this.aborts.add(abort);
    return new Promise<AttemptResult>((resolve) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(
        url,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': Buffer.byteLength(body),
            accept: 'application/json',
          },
          lookup: checkedLookup(allowPrivate, 'backchannel_logout_uri'),
          timeout: timeoutMs,
          signal: AbortSignal.any([abort.signal, AbortSignal.timeout(timeoutMs)]),
        },
        (res: IncomingMessage) => {
          const status = res.statusCode ?? 0;
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) res.destroy();
          });
          const done = () =>
            resolve(
              status >= 200 && status < 300
                ? { ok: true, retryable: false, httpStatus: status, error: null }
                : {
                    ok: false,
                    retryable: status >= 500 || status === 429,
                    httpStatus: status,
                    error: `HTTP ${status}`,
                  },
            );
          res.on('end', done);
          res.on('close', done);
          res.on('error', done);
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (e) => resolve(fail(e.message, true)));
      req.end(body);
    }).finally(() => this.aborts.delete(abort));
  }
}
