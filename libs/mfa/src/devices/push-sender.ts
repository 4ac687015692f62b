// Tells a device that a push sign-in waits for it. The notice carries no secret: the device
// long-polls the service (signed) for the details. Vendor senders (APNs, FCM) implement this too.
export interface PushNotice { deviceId: string; approvalHint: string }

export interface PushSender {
  notify(pushAddress: string, notice: PushNotice): Promise<void>;
}

// POSTs the notice as JSON to the device's pushAddress (an http(s) URL the device gave when it
// was activated); any 2xx is delivered.
export class WebhookPushSender implements PushSender {
  constructor(private readonly timeoutMs = 5000) {}

  async notify(pushAddress: string, notice: PushNotice): Promise<void> {
    const answer = await fetch(pushAddress, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(notice),
      redirect: 'error', signal: AbortSignal.timeout(this.timeoutMs),
    });
    await answer.body?.cancel();
    if (answer.status < 200 || answer.status > 299) throw Object.assign(new Error(`push webhook answered ${answer.status}`), { code: 'push_webhook_failed' });
  }
}
