import express, { type Router } from "express";
import type { MockContext } from "../context.ts";

export function oauthRouter(_ctx: MockContext): Router {
  return express.Router();
}
