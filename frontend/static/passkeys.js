// Passkeys: sign in with one (also from the email field's autofill) and add one.
// Without JavaScript or WebAuthn these parts stay hidden and emailed links do the work.

const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
const supported =
  typeof window.PublicKeyCredential === "function" && Boolean(navigator.credentials);

// -- base64url, for browsers without the WebAuthn JSON helpers ------------------------

const toBytes = (text) => {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
};

const toText = (buffer) => {
  let binary = "";
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

const withIds = (list) => (list || []).map((item) => ({ ...item, id: toBytes(item.id) }));

const creationOptions = (json) =>
  PublicKeyCredential.parseCreationOptionsFromJSON
    ? PublicKeyCredential.parseCreationOptionsFromJSON(json)
    : {
        ...json,
        challenge: toBytes(json.challenge),
        user: { ...json.user, id: toBytes(json.user.id) },
        excludeCredentials: withIds(json.excludeCredentials),
      };

const requestOptions = (json) =>
  PublicKeyCredential.parseRequestOptionsFromJSON
    ? PublicKeyCredential.parseRequestOptionsFromJSON(json)
    : { ...json, challenge: toBytes(json.challenge), allowCredentials: withIds(json.allowCredentials) };

const credentialJSON = (credential) => {
  if (typeof credential.toJSON === "function") return credential.toJSON();
  const answer = credential.response;
  const response = { clientDataJSON: toText(answer.clientDataJSON) };
  if (answer.attestationObject) {
    response.attestationObject = toText(answer.attestationObject);
    response.transports = answer.getTransports ? answer.getTransports() : [];
  } else {
    response.authenticatorData = toText(answer.authenticatorData);
    response.signature = toText(answer.signature);
    response.userHandle = answer.userHandle ? toText(answer.userHandle) : null;
  }
  return {
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? null,
    clientExtensionResults: credential.getClientExtensionResults?.() ?? {},
    response,
  };
};

// -- talking to the server -------------------------------------------------------------

class Refused extends Error {}

const post = async (url, body = {}) => {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const messages = [data.detail, ...(data.errors || []).map((e) => e.message)].filter(Boolean);
    throw new Refused([...new Set(messages)].join(" "));
  }
  return data;
};

// One status line per widget; aria-live announces each change to screen readers.
const reporter = (root) => {
  const status = root.querySelector("[data-passkey-status]");
  return (message, isError = false) => {
    status.textContent = message;
    status.classList.toggle("field-error", isError);
  };
};

const explain = (root, error) => {
  if (error instanceof Refused && error.message) return error.message;
  if (error?.name === "NotAllowedError") return root.dataset.msgCancelled;
  if (error?.name === "InvalidStateError" && root.dataset.msgExists) return root.dataset.msgExists;
  return root.dataset.msgFailed;
};

// -- signing in ------------------------------------------------------------------------

const signIn = (root) => {
  const show = reporter(root);
  const button = root.querySelector("[data-passkey-button]");
  let autofill = null; // { controller, done } while the email field offers passkeys

  const finish = async (credential) => {
    const result = await post("/passkeys/sign-in", {
      credential: credentialJSON(credential),
      next: root.dataset.next || "/",
    });
    window.location.assign(result.next);
  };

  const offerInAutofill = async () => {
    if (!(await PublicKeyCredential.isConditionalMediationAvailable?.())) return;
    const controller = new AbortController();
    const done = (async () => {
      const options = await post("/passkeys/sign-in/options");
      const credential = await navigator.credentials.get({
        publicKey: requestOptions(options),
        mediation: "conditional",
        signal: controller.signal,
      });
      await finish(credential);
    })().catch((error) => {
      // The browser's own refusals here are no news to anyone: the person never asked.
      if (!controller.signal.aborted && error instanceof Refused) show(explain(root, error), true);
    });
    autofill = { controller, done };
  };

  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      if (autofill) {
        // Only one WebAuthn request may be pending: end the autofill offer first.
        autofill.controller.abort();
        await autofill.done;
        autofill = null;
      }
      show(root.dataset.msgWorking);
      const options = await post("/passkeys/sign-in/options");
      const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
      await finish(credential);
    } catch (error) {
      show(explain(root, error), true);
      offerInAutofill();
    } finally {
      button.disabled = false;
    }
  });

  root.hidden = false;
  offerInAutofill();
};

// -- adding one ------------------------------------------------------------------------

const register = (root) => {
  const show = reporter(root);
  const button = root.querySelector("[data-passkey-button]");
  const name = root.querySelector('input[name="name"]');

  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      show(root.dataset.msgWorking);
      const options = await post("/passkeys/register/options");
      const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
      const result = await post("/passkeys/register", {
        credential: credentialJSON(credential),
        name: name.value,
        next: root.dataset.next || null,
      });
      // Only where the server's answer leads: it alone decides what is a path on this site.
      window.location.assign(result.next);
    } catch (error) {
      show(explain(root, error), true);
    } finally {
      button.disabled = false;
    }
  });

  root.hidden = false;
  const fallback = root.nextElementSibling;
  if (fallback?.matches("[data-passkey-unsupported]")) fallback.hidden = true;
};

if (supported) {
  document.querySelectorAll("[data-passkey-sign-in]").forEach(signIn);
  document.querySelectorAll("[data-passkey-register]").forEach(register);
}
