// A real OpenID Connect provider (the certified `oidc-provider` package) for the register's
// identity tests: one issuer per "tenant" (a force's directory), each on its own ephemeral
// loopback port. Started by tests/identity/oidc.py with a JSON config file:
//
//   {"tenants": {"norfolk": {"accounts": {"jane": {"email": "...", "email_verified": true,
//                                                  "amr": ["pwd", "mfa"]}}}}}
//
// Prints one JSON line {"tenants": {"norfolk": "http://127.0.0.1:PORT"}} once listening.
// Clients are registered by the tests through dynamic client registration (RFC 7591) with the
// initial access token below. A client registered with "x_tamper_id_token": true receives
// ID tokens whose payload was changed after signing (to prove the register checks signatures).
// The sign-in page asks for an account name only: the directory, not the register, decides
// who its users are.

import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";

import Provider from "oidc-provider";

export const REGISTRATION_TOKEN = "register-tests-initial-access-token";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>
<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

function tamper(idToken) {
  const [header, payload, signature] = idToken.split(".");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  claims.email = "national@police.uk"; // someone else's login
  claims.email_verified = true;
  const changed = Buffer.from(JSON.stringify(claims)).toString("base64url");
  return [header, changed, signature].join(".");
}

async function startTenant(name, tenant) {
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const accounts = tenant.accounts || {};
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: "jwk" }), kid: `${name}-1`, use: "sig", alg: "RS256" };

  const provider = new Provider(issuer, {
    jwks: { keys: [jwk] },
    cookies: { keys: [`${name}-cookie-key`] },
    claims: {
      openid: ["sub", "acr", "amr"],
      email: ["email", "email_verified"],
      profile: ["name", "given_name", "family_name", "oid"],
    },
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    extraClientMetadata: { properties: ["x_tamper_id_token"] },
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true, initialAccessToken: REGISTRATION_TOKEN },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = page(
            "Sign out of the directory",
            `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>`,
          );
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = page("Signed out of the directory", "<p>You have signed out.</p>");
        },
      },
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, id) {
      const account = accounts[id];
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return {
            sub: id,
            oid: account.oid || `oid-${id}`,
            email: account.email,
            email_verified: account.email_verified ?? false,
            name: account.name || id,
          };
        },
      };
    },
    ttl: { Session: 3600, Grant: 3600, Interaction: 600, AccessToken: 600, IdToken: 600 },
  });
  provider.proxy = false;

  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === "/token" && ctx.body && ctx.body.id_token && ctx.oidc?.client?.x_tamper_id_token) {
      ctx.body = { ...ctx.body, id_token: tamper(ctx.body.id_token) };
    }
  });

  const oidc = provider.callback();
  server.on("request", async (req, res) => {
    const url = new URL(req.url, issuer);
    const match = url.pathname.match(/^\/interaction\/([\w-]+)(\/login)?$/);
    if (!match) return oidc(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === "consent") {
        // The force approved the register for its users: no consent screen.
        const grant = details.grantId
          ? await provider.Grant.find(details.grantId)
          : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
        grant.addOIDCScope(details.params.scope);
        const grantId = await grant.save();
        return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      }
      if (match[2] && req.method === "POST") {
        const form = await readForm(req);
        const accountId = form.get("account") || "";
        if (!accounts[accountId]) {
          res.writeHead(200, { "content-type": "text/html" });
          return res.end(page("Sign in to the directory", `<p>No such account.</p>`));
        }
        const amr = accounts[accountId].amr || ["pwd"];
        return provider.interactionFinished(req, res, { login: { accountId, amr } }, { mergeWithLastSubmission: false });
      }
      res.writeHead(200, { "content-type": "text/html" });
      return res.end(
        page(
          `Sign in to the ${name} directory`,
          `<form method="post" action="/interaction/${escape(details.uid)}/login">
<label for="account">Account name</label> <input id="account" name="account" autocomplete="username">
<button type="submit">Sign in</button></form>`,
        ),
      );
    } catch (error) {
      res.writeHead(400, { "content-type": "text/plain" });
      return res.end(`interaction failed: ${error.message}`);
    }
  });
  return issuer;
}

const issuers = {};
for (const [name, tenant] of Object.entries(config.tenants)) {
  issuers[name] = await startTenant(name, tenant);
}
process.stdout.write(`${JSON.stringify({ tenants: issuers })}\n`);
process.on("SIGTERM", () => process.exit(0));
