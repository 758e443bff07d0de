import express, { type Router } from "express";
import type { MockContext } from "../context.ts";

export function apiRouter(_ctx: MockContext): Router {
  return express.Router();
}
