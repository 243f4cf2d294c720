// The running server's clock through its admin endpoint, and the calendar arithmetic the cost
// tests share: each moves to an hour into the next month, so that month holds only its own usage.

export const nextMonth = (ms: number): number => { const d = new Date(ms); return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1); };

/** YYYY-MM-DD, as Cost Explorer's TimePeriod takes it. */
export const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export async function clockNow(url: string): Promise<number> {
  return Date.parse(((await (await fetch(`${url}/_cloudlet/clock`)).json()) as { now: string }).now);
}

export async function clockAdvance(url: string, ms: number): Promise<void> {
  const r = await fetch(`${url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: `${Math.ceil(ms)}ms` }) });
  if (!r.ok) throw new Error(`the clock refused to advance ${ms} ms: ${await r.text()}`);
}

/** Moves the clock an hour into the next month; returns that month's start. */
export async function intoNextMonth(url: string): Promise<number> {
  const t = await clockNow(url);
  const month = nextMonth(t);
  await clockAdvance(url, month + 3_600_000 - t);
  return month;
}
