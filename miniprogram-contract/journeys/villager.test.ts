/**
 * A villager (群众) opens the mini-program without registering, browses the region tree, finds the party
 * branch of their village, and is told that member features need 实名认证.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { miniProgram, newWeChatUser, ok, problem } from "./world";

describe("群众：免注册浏览、找支部、党员功能需认证", () => {
  const app = miniProgram();
  let villageCode = "";
  let villageName = "";

  it("不登录也能看行政区划树：云溪区 13 个乡镇/街道", async () => {
    const tree = ok(await miniProgram().get("/api/v1/regions"));
    assert.equal(tree.length, 1);
    const district = tree[0]!;
    assert.deepEqual([district.name, district.level], ["云溪区", "District"]);
    assert.equal(district.children.length, 13);
    const township = district.children[0]!;
    assert.equal(township.level, "Township");
    const village = township.children[0]!;
    assert.equal(village.level, "Village");
    assert.match(village.code, /^\d{12}$/);
    [villageCode, villageName] = [village.code, village.name];
  });

  it("wx.login 后登录：无需注册，不是党员", async () => {
    const login = ok(await app.login((await newWeChatUser()).code));
    assert.equal(login.isMember, false);
    const me = ok(await app.get("/api/v1/me"));
    assert.deepEqual([me.isMember, me.memberName, me.binding], [false, null, null]);
    const binding = await app.get("/api/v1/binding");
    assert.deepEqual([binding.ok, binding.status], [true, 204], "no binding request yet");
  });

  it("找支部：按所在村找到本村党支部", async () => {
    const branches = ok(await app.get("/api/v1/branches", { query: { regionCode: villageCode } }));
    assert.ok(branches.length >= 1, `a branch in ${villageName}`);
    for (const branch of branches) {
      assert.equal(branch.villageName, villageName);
      assert.ok(["Branch", "GeneralBranch"].includes(branch.kind));
    }
    const byName = ok(await app.get("/api/v1/branches", { query: { keyword: branches[0]!.name } }));
    assert.ok(byName.some((b) => b.id === branches[0]!.id), "found again by its name");
  });

  it("党员功能：签到、积分、排行、个人空间都提示先实名认证", async () => {
    problem(await app.post("/api/v1/checkins"), 403, "member_required");
    problem(await app.get("/api/v1/points"), 403, "member_required");
    problem(await app.get("/api/v1/points/ranking"), 403, "member_required");
    problem(await app.get("/api/v1/space"), 403, "member_required");
  });

  it("未登录调用需登录的接口：401，提示请先登录", async () => {
    problem(await miniProgram().post("/api/v1/checkins"), 401, "unauthorized");
    problem(await miniProgram().get("/api/v1/me"), 401, "unauthorized");
  });
});
