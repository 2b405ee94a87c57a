/**
 * Party dues through WeChat Pay. 李秀英 (demo identity) binds, sees her unpaid months, pays two of them with
 * wx.requestPayment; the gateway believes WeChat Pay's notification, not the phone. A villager then pays
 * 王志强's dues on his behalf (代缴). Every run starts from a fresh database: the demo members owe the current
 * and the previous month (README "Demo identities"). Amounts are integer fen.
 */
import assert from "node:assert/strict";
import { createPublicKey, verify } from "node:crypto";
import { describe, it } from "node:test";
import type { Schemas } from "../src/client";
import { addMonths, eventually, loginCode, miniProgram, newWeChatUser, ok, payAtWeChat, problem, weChatConfig } from "./world";

const LI = { name: "李秀英", idNumber: "330199197509301240" };
const WANG = { name: "王志强", idNumber: "330199199603081255" };

/** What the mini-program passes to wx.requestPayment, checked as WeChat's cashier would check it. */
async function assertRequestPayment(parameters: Schemas["RequestPaymentParameters"]) {
  const wechat = await weChatConfig();
  assert.equal(parameters.appId, wechat.appId, "the mini-program's own appid");
  assert.match(parameters.package, /^prepay_id=\S+$/);
  assert.equal(parameters.signType, "RSA");
  assert.match(parameters.timeStamp, /^\d{10}$/, "seconds, as a string");
  assert.ok(Math.abs(Number(parameters.timeStamp) - Date.now() / 1000) < 300, "signed just now");
  assert.match(parameters.nonceStr, /^[0-9A-Za-z]{8,32}$/);
  // WeChat verifies paySign with the merchant's key over appId, timeStamp, nonceStr, package (one per line).
  const message = `${parameters.appId}\n${parameters.timeStamp}\n${parameters.nonceStr}\n${parameters.package}\n`;
  const merchantKey = createPublicKey(wechat.merchantPrivateKey);
  assert.ok(verify("sha256", Buffer.from(message), merchantKey, Buffer.from(parameters.paySign, "base64")), "paySign is the merchant's signature");
}

describe("党员：在线缴纳党费（微信支付）", () => {
  let openid = "";
  const app = miniProgram({ loginCode: () => loginCode(openid) });
  let dues: Schemas["DuesOverview"];
  let order: Schemas["CreateDuesOrderResponse"];
  let paying: number[] = [];
  let balanceBefore = 0;

  it("登录并实名认证（李秀英）", async () => {
    const user = await newWeChatUser("13800000002");
    openid = user.openid;
    ok(await app.login(user.code));
    const bound = ok(await app.post("/api/v1/binding/id-number", { body: { ...LI, organizationId: null } }));
    assert.equal(bound.outcome, "bound");
    balanceBefore = ok(await app.get("/api/v1/points")).balance;
  });

  it("我的党费：月缴金额（分）、本月和上月未缴、可预缴 6 个月", async () => {
    dues = ok(await app.get("/api/v1/dues"));
    assert.equal(dues.memberName, LI.name);
    assert.ok(Number.isInteger(dues.monthlyFen) && dues.monthlyFen > 0, `monthly amount in fen: ${dues.monthlyFen}`);
    assert.match(String(dues.currentMonth), /^20\d{2}(0[1-9]|1[0-2])$/);
    const unpaid = dues.payable.map((bill) => bill.month);
    const previous = addMonths(dues.currentMonth, -1);
    assert.ok(unpaid.includes(dues.currentMonth) && unpaid.includes(previous), `unpaid: ${unpaid.join(", ")}`);
    for (const bill of dues.payable) {
      assert.equal(bill.status, "Unpaid");
      assert.equal(bill.amountFen, dues.monthlyFen);
      assert.match(bill.monthLabel, /^\d{4}年\d{1,2}月$/);
    }
    assert.deepEqual(dues.prepayableMonths, [1, 2, 3, 4, 5, 6].map((i) => addMonths(dues.currentMonth, i)));
    assert.equal(dues.olderArrearsMonths, 0);
    paying = [previous, dues.currentMonth];
  });

  it("缴纳两个月：下单得到 wx.requestPayment 参数，金额为两个月之和", async () => {
    order = ok(await app.post("/api/v1/dues/orders", { body: { months: paying, extraFen: 0, onBehalf: null } }));
    assert.match(order.outTradeNo, /^[0-9A-Za-z_*|-]{6,32}$/, "WeChat Pay's out_trade_no rules");
    assert.deepEqual(order.months, paying);
    assert.equal(order.amountFen, 2 * dues.monthlyFen);
    assert.equal(order.remitToCentre, false);
    await assertRequestPayment(order.requestPayment);
  });

  it("前端 requestPayment:ok 不算数：微信未收款前订单仍是 Waiting", async () => {
    const view = ok(await app.get("/api/v1/dues/orders/{outTradeNo}", { path: { outTradeNo: order.outTradeNo } }));
    assert.deepEqual([view.status, view.amountFen, view.extraFen, view.paidAt], ["Waiting", order.amountFen, 0, null]);
    assert.deepEqual(view.months, paying);
    const still = ok(await app.get("/api/v1/dues"));
    assert.deepEqual(still.payable.map((b) => b.month), dues.payable.map((b) => b.month), "nothing paid yet");
  });

  it("微信支付成功并通知网关：轮询订单，10 秒内变为 Paid", async () => {
    await payAtWeChat(order.outTradeNo);
    const paid = await eventually("order Paid", async () => {
      const view = ok(await app.get("/api/v1/dues/orders/{outTradeNo}", { path: { outTradeNo: order.outTradeNo } }));
      return view.status === "Paid" ? view : undefined;
    });
    assert.ok(paid.paidAt && Date.parse(paid.paidAt) > Date.now() - 120_000);
  });

  it("党费页：已缴至本月，可缴月份减少 2 个，缴费记录有这两个月", async () => {
    const after = ok(await app.get("/api/v1/dues"));
    assert.equal(after.paidUpTo, dues.currentMonth);
    assert.equal(after.payable.length, dues.payable.length - 2);
    assert.ok(after.payable.every((b) => !paying.includes(b.month)));
    for (const month of paying) {
      const bill = after.recentPaid.find((b) => b.month === month);
      assert.equal(bill?.status, "Paid", `${month} paid`);
      assert.ok(bill?.paidAt);
    }
  });

  it("缴费得积分：余额加 2 分，明细「按时缴纳党费」", async () => {
    const points = await eventually("points credited", async () => {
      const page = ok(await app.get("/api/v1/points"));
      return page.balance > balanceBefore ? page : undefined;
    });
    assert.equal(points.balance, balanceBefore + 2, "2 points per order, at most 2 a month (default rules)");
    assert.deepEqual([points.entries[0]?.action, points.entries[0]?.points], ["按时缴纳党费", 2]);
  });

  it("已缴月份不能再缴：dues_already_paid", async () => {
    problem(await app.post("/api/v1/dues/orders", { body: { months: [dues.currentMonth], extraFen: 0, onBehalf: null } }), 409, "dues_already_paid");
  });

  it("预缴下月并自愿多缴 1000 元：整笔上缴中央（remitToCentre）", async () => {
    const next = addMonths(dues.currentMonth, 1);
    const prepay = ok(await app.post("/api/v1/dues/orders", { body: { months: [next], extraFen: 100_000, onBehalf: null } }));
    assert.deepEqual(prepay.months, [next]);
    assert.equal(prepay.amountFen, dues.monthlyFen + 100_000);
    assert.equal(prepay.remitToCentre, true);
    await assertRequestPayment(prepay.requestPayment);
    // Not paid: the order waits (and is closed after 30 minutes); the month stays payable.
    const view = ok(await app.get("/api/v1/dues/orders/{outTradeNo}", { path: { outTradeNo: prepay.outTradeNo } }));
    assert.equal(view.status, "Waiting");
  });

  it("超出范围的月份：预缴超过 6 个月、补缴超过 6 个月、重复月份都是 validation_failed", async () => {
    const tooFar = addMonths(dues.currentMonth, 7);
    const tooOld = addMonths(dues.currentMonth, -6);
    for (const months of [[tooFar], [tooOld], [], [addMonths(dues.currentMonth, 2), addMonths(dues.currentMonth, 2)]]) {
      problem(await app.post("/api/v1/dues/orders", { body: { months, extraFen: 0, onBehalf: null } }), 400, "validation_failed");
    }
    const negative = problem(await app.post("/api/v1/dues/orders", { body: { months: [addMonths(dues.currentMonth, 2)], extraFen: -1, onBehalf: null } }), 400, "validation_failed");
    assert.ok(negative.errors && "extraFen" in negative.errors, "errors names the field");
  });

  it("未登录：401 unauthorized", async () => {
    const anonymous = miniProgram();
    problem(await anonymous.get("/api/v1/dues"), 401, "unauthorized");
    problem(await anonymous.post("/api/v1/dues/orders", { body: { months: paying, extraFen: 0, onBehalf: null } }), 401, "unauthorized");
    problem(await anonymous.get("/api/v1/dues/orders/{outTradeNo}", { path: { outTradeNo: order.outTradeNo } }), 401, "unauthorized");
  });
});

describe("群众：为党员代缴党费", () => {
  const app = miniProgram();
  let wang: Schemas["DuesOverview"];
  let order: Schemas["CreateDuesOrderResponse"];

  it("登录（不是党员）：自己的党费页提示先认证", async () => {
    ok(await app.login((await newWeChatUser()).code));
    problem(await app.get("/api/v1/dues"), 403, "member_required");
    problem(await app.post("/api/v1/dues/orders", { body: { months: [202601], extraFen: 0, onBehalf: null } }), 403, "member_required");
  });

  it("按姓名+身份证号查询王志强的应缴党费", async () => {
    wang = ok(await app.post("/api/v1/dues/on-behalf/lookup", { body: WANG }));
    assert.equal(wang.memberName, WANG.name);
    assert.ok(wang.monthlyFen > 0);
    assert.ok(wang.payable.some((b) => b.month === wang.currentMonth), "this month is unpaid");
    assert.deepEqual(wang.recentPaid, [], "a payer on behalf does not see the member's payment history");
  });

  it("姓名与身份证号不符：member_not_found；身份证号有误：validation_failed", async () => {
    problem(await app.post("/api/v1/dues/on-behalf/lookup", { body: { name: "王志刚", idNumber: WANG.idNumber } }), 404, "member_not_found");
    problem(await app.post("/api/v1/dues/on-behalf/lookup", { body: { name: WANG.name, idNumber: "330199199603081250" } }), 400, "validation_failed");
  });

  it("代缴本月并自愿多缴 1 元：下单、微信支付、订单 Paid", async () => {
    order = ok(await app.post("/api/v1/dues/orders", { body: { months: [wang.currentMonth], extraFen: 100, onBehalf: WANG } }));
    assert.equal(order.amountFen, wang.monthlyFen + 100);
    assert.equal(order.remitToCentre, false, "under 1,000 yuan");
    await assertRequestPayment(order.requestPayment);
    assert.equal(ok(await app.get("/api/v1/dues/orders/{outTradeNo}", { path: { outTradeNo: order.outTradeNo } })).status, "Waiting");

    await payAtWeChat(order.outTradeNo);
    const paid = await eventually("order Paid", async () => {
      const view = ok(await app.get("/api/v1/dues/orders/{outTradeNo}", { path: { outTradeNo: order.outTradeNo } }));
      return view.status === "Paid" ? view : undefined;
    });
    assert.deepEqual([paid.months, paid.extraFen], [[wang.currentMonth], 100]);
  });

  it("再查王志强：本月已缴，可缴月份少了一个", async () => {
    const after = ok(await app.post("/api/v1/dues/on-behalf/lookup", { body: WANG }));
    assert.equal(after.payable.length, wang.payable.length - 1);
    assert.ok(after.payable.every((b) => b.month !== wang.currentMonth));
    assert.equal(after.paidUpTo, wang.currentMonth);
  });

  it("订单只有付款人能看：别人查询是 not_found", async () => {
    const other = miniProgram();
    ok(await other.login((await newWeChatUser()).code));
    problem(await other.get("/api/v1/dues/orders/{outTradeNo}", { path: { outTradeNo: order.outTradeNo } }), 404, "not_found");
  });
});
