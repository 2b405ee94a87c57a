-- Anonymous GET of the URL given to wrk (regions tree, and the bare-Kestrel limit).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")
