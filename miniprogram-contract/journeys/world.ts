/**
 * What a journey needs from the world around the mini-program: the gateway's URL, and the WeChat emulator
 * standing in for the WeChat app (a user opening the mini-program, wx.login, getPhoneNumber). Set by
 * run-journeys.sh: GATEWAY_URL, EMULATOR_URL.
 */
import assert from "node:assert/strict";
import { createClient, fetchTransport, type ApiResult, type EBranchClient, type Problem } from "../src/client";

export const gatewayUrl = required("GATEWAY_URL");
export const emulatorUrl = required("EMULATOR_URL");

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run the journeys with miniprogram-contract/run-journeys.sh)`);
  return value;
}

async function control<T>(path: string, body: object = {}): Promise<T> {
  const response = await fetch(emulatorUrl + "/_emulator" + path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 200, `emulator ${path} answered ${response.status}`);
  return (await response.json()) as T;
}

/** A person opens the mini-program for the first time: a WeChat user and their first wx.login code. */
export async function newWeChatUser(phoneNumber?: string): Promise<{ openid: string; code: string }> {
  return control("/users", phoneNumber ? { phoneNumber } : {});
}

/** wx.login again (codes are single use). */
export async function loginCode(openid: string): Promise<string> {
  return (await control<{ code: string }>(`/users/${openid}/code`)).code;
}

/**
 * The payer confirms in WeChat's cashier and pays: the emulator marks the order paid and sends WeChat Pay's signed,
 * encrypted TRANSACTION.SUCCESS notification to the gateway (the mini-program's requestPayment success proves nothing).
 */
export async function payAtWeChat(outTradeNo: string, outcome: "success" | "fail" | "cancel" = "success"): Promise<void> {
  await control(`/orders/${encodeURIComponent(outTradeNo)}/pay`, { outcome });
}

/** What WeChat knows about the mini-program and the merchant (the emulator's configuration). */
export async function weChatConfig(): Promise<{ appId: string; mchId: string; merchantPrivateKey: string }> {
  const response = await fetch(emulatorUrl + "/_emulator/config");
  assert.equal(response.status, 200, `emulator /config answered ${response.status}`);
  return (await response.json()) as { appId: string; mchId: string; merchantPrivateKey: string };
}

/** Asks `probe` every 250 ms until it returns a value (not undefined), or fails after `seconds`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, seconds = 10): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${seconds} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** yyyyMM plus `count` months (negative: earlier). */
export function addMonths(month: number, count: number): number {
  const index = Math.floor(month / 100) * 12 + (month % 100) - 1 + count;
  return Math.floor(index / 12) * 100 + (index % 12) + 1;
}

/** The mini-program's client as the journeys use it: fetch instead of wx.request, same contract. */
export function miniProgram(options: { loginCode?: () => Promise<string> } = {}): EBranchClient {
  return createClient({ baseUrl: gatewayUrl, transport: fetchTransport(), ...options });
}

/** The call succeeded; its data. */
export function ok<T>(result: ApiResult<T>): T {
  if (!result.ok) assert.fail(`expected success, got ${result.status} ${result.problem.code}: ${result.problem.title}`);
  return result.data;
}

/** The call failed as the contract says: this status and code, and a zh-CN title to show. */
export function problem<T>(result: ApiResult<T>, status: number, code: Problem["code"]): Problem {
  if (result.ok) assert.fail(`expected ${status} ${code}, got ${result.status} with data`);
  assert.equal(result.status, status);
  assert.equal(result.problem.code, code);
  assert.match(result.problem.title ?? "", /\p{Script=Han}/u, "the title is Chinese text fit to show the user");
  return result.problem;
}
