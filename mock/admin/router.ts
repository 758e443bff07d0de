import express, { type Router } from "express";
import type { MockContext } from "../context.ts";

export function adminRouter(_ctx: MockContext): Router {
  return express.Router();
}
