import { and, eq, gt, lt, sql } from 'drizzle-orm';
import * as client from 'openid-client';
import { tables, type Database } from '../db';
import { hashToken, newToken } from './tokens';

const { oidcLogins, employees } = tables;

/** How long a browser may take at the identity provider. */
const LOGIN_VALID_SECONDS = 10 * 60;

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

/** Why an OpenID Connect sign-in was refused (logged; the person sees one clear page). */
export class OidcRefusal extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'OidcRefusal';
  }
}

/**
 * OpenID Connect sign-in, authorization code flow with PKCE, state and nonce, through the
 * openid-client library. The identity provider's metadata is discovered on first use (and again
 * after a failure), so the API starts even while the provider is down.
 */
export class OidcSignIn {
  private configuration: Promise<client.Configuration> | undefined;

  constructor(
    private readonly db: Database,
    private readonly settings: OidcSettings,
  ) {}

  private config(): Promise<client.Configuration> {
    if (!this.configuration) {
      const issuer = new URL(this.settings.issuer);
      // Plain http only for a provider on this machine (development, tests).
      const local = issuer.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);
      this.configuration = client
        .discovery(issuer, this.settings.clientId, this.settings.clientSecret, undefined, {
          ...(local ? { execute: [client.allowInsecureRequests] } : {}),
          timeout: 10,
        })
        .catch((error: unknown) => {
          this.configuration = undefined;
          throw error;
        });
    }
    return this.configuration;
  }

  /** Starts a sign-in: the URL to send the browser to, and the handle for its short-lived cookie. */
  async start(): Promise<{ url: string; handle: string; maxAgeSeconds: number }> {
    const config = await this.config();
    // Housekeeping on the way: sign-ins abandoned at the provider go.
    await this.db.delete(oidcLogins).where(lt(oidcLogins.expiresAt, sql`now()`));
    const handle = newToken();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const codeVerifier = client.randomPKCECodeVerifier();
    await this.db.insert(oidcLogins).values({
      handleHash: hashToken(handle),
      state,
      nonce,
      codeVerifier,
      expiresAt: sql`now() + make_interval(secs => ${LOGIN_VALID_SECONDS})`,
    });
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      scope: 'openid email profile',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, handle, maxAgeSeconds: LOGIN_VALID_SECONDS };
  }

  /**
   * Completes a sign-in from the provider's redirect: the browser's handle must name a sign-in
   * under way (used once), and the library checks state, nonce, PKCE, issuer, audience and the ID
   * token's signature. Returns the active employee whose address the provider has verified.
   */
  async finish(handle: string | undefined, callbackUrl: URL): Promise<{ employeeId: string; email: string }> {
    if (!handle) throw new OidcRefusal('no sign-in under way in this browser');
    const [login] = await this.db
      .delete(oidcLogins)
      .where(and(eq(oidcLogins.handleHash, hashToken(handle)), gt(oidcLogins.expiresAt, sql`now()`)))
      .returning();
    if (!login) throw new OidcRefusal('the sign-in under way is unknown, used or expired');
    const config = await this.config();
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: login.codeVerifier,
        expectedState: login.state,
        expectedNonce: login.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      throw new OidcRefusal(`the provider's answer did not check out: ${error instanceof Error ? error.message : 'unknown error'}`);
    }
    const claims = tokens.claims();
    if (!claims) throw new OidcRefusal('no ID token');
    let email = typeof claims.email === 'string' ? claims.email : undefined;
    let verified = claims.email_verified === true;
    if (!email || !verified) {
      const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub).catch(() => undefined);
      email = typeof info?.email === 'string' ? info.email : email;
      verified = info?.email_verified === true;
    }
    if (!email) throw new OidcRefusal('the provider gave no email address');
    if (!verified) throw new OidcRefusal('the provider has not verified the email address');
    const [employee] = await this.db
      .select({ id: employees.id, email: employees.email })
      .from(employees)
      .where(and(sql`lower(${employees.email}) = lower(${email})`, eq(employees.active, true)))
      .limit(1);
    if (!employee) throw new OidcRefusal('no active employee has this email address');
    return { employeeId: employee.id, email: employee.email };
  }
}
