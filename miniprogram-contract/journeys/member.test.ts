/**
 * A party member opens the mini-program, binds by ID number (实名认证), checks in, and sees their points and
 * rank. 张建国 is one of the documented demo identities (README "Demo identities"); every run starts from a
 * fresh database, so he is not yet bound to anyone's WeChat.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loginCode, miniProgram, newWeChatUser, ok, problem } from "./world";

const ZHANG = { name: "张建国", idNumber: "330199196805121231" };

describe("党员：登录、实名认证、签到、积分与排名", () => {
  let openid = "";
  const app = miniProgram({ loginCode: () => loginCode(openid) });

  it("wx.login 后登录：拿到会话令牌，尚未认证", async () => {
    const user = await newWeChatUser("13800000001");
    openid = user.openid;
    const login = ok(await app.login(user.code));
    assert.ok(login.token.length >= 20);
    assert.equal(login.isMember, false);
    assert.equal(login.memberName, null);
    assert.ok(Date.parse(login.expiresAt) > Date.now());
  });

  it("认证前签到：提示先完成党员实名认证", async () => {
    problem(await app.post("/api/v1/checkins"), 403, "member_required");
  });

  it("以姓名+身份证号认证：名册匹配，即时绑定", async () => {
    const bound = ok(await app.post("/api/v1/binding/id-number", { body: { ...ZHANG, organizationId: null } }));
    assert.equal(bound.outcome, "bound");
    assert.equal(bound.memberName, ZHANG.name);
    assert.ok(bound.message.length > 0);

    const me = ok(await app.get("/api/v1/me"));
    assert.equal(me.isMember, true);
    assert.equal(me.memberName, ZHANG.name);
    assert.equal(me.binding?.status, "Matched", "matched on the roster, no review needed");
  });

  it("再次认证：提示已完成实名认证", async () => {
    problem(await app.post("/api/v1/binding/id-number", { body: { ...ZHANG, organizationId: null } }), 409, "already_bound");
  });

  it("每日签到：得 1 分；同一天再签只计一次", async () => {
    const first = ok(await app.post("/api/v1/checkins"));
    assert.deepEqual([first.alreadyCheckedIn, first.pointsEarned, first.balance, first.streak], [false, 1, 1, 1]);
    const again = ok(await app.post("/api/v1/checkins"));
    assert.deepEqual([again.alreadyCheckedIn, again.balance], [true, 1]);
  });

  it("我的积分：余额 1，明细一条「每日签到」", async () => {
    const points = ok(await app.get("/api/v1/points", { query: { page: 1, pageSize: 20 } }));
    assert.equal(points.balance, 1);
    assert.deepEqual([points.total, points.page, points.pageSize], [1, 1, 20]);
    assert.equal(points.entries[0]?.action, "每日签到");
    assert.equal(points.entries[0]?.points, 1);
  });

  it("支部本周排行：我在榜上，显示我的全名，他人姓名打码", async () => {
    // Other journeys earn points in the same demo branch (dues.test.ts: 李秀英 and 王志强 pay dues, 2 points each),
    // so only those with more points than me may rank above me.
    const ranking = ok(await app.get("/api/v1/points/ranking", { query: { scope: "branch", period: "week" } }));
    assert.equal(ranking.myPoints, 1);
    const mine = ranking.top.find((row) => row.isMe);
    assert.deepEqual([mine?.rank, mine?.name, mine?.points], [ranking.myRank, ZHANG.name, 1]);
    const above = ranking.top.filter((row) => row.rank < ranking.myRank!);
    assert.equal(ranking.myRank, above.length + 1);
    assert.ok(above.every((row) => row.points > 1), "only those with more points rank above me");
    for (const row of ranking.top.filter((r) => !r.isMe)) assert.match(row.name, /\*/, `${row.name} is masked`);
    problem(await app.get("/api/v1/points/ranking", { query: { period: "decade" } }), 400, "validation_failed");
  });

  it("个人空间：资料、今日已签到、积分", async () => {
    const space = ok(await app.get("/api/v1/space"));
    assert.equal(space.name, ZHANG.name);
    assert.equal(space.checkedInToday, true);
    assert.equal(space.pointsBalance, 1);
    assert.ok(space.partyAgeYears > 0);
  });

  it("会话失效：旧令牌 401，客户端用新的 wx.login code 自动重新登录", async () => {
    const oldToken = app.tokens.get()!;
    assert.equal((await app.logout()).status, 204);
    const stale = miniProgram();
    stale.tokens.set(oldToken);
    problem(await stale.get("/api/v1/me"), 401, "unauthorized");

    const me = ok(await app.get("/api/v1/me"));
    assert.equal(me.isMember, true, "logging in again finds the binding");
    assert.notEqual(app.tokens.get(), oldToken);
  });
});
