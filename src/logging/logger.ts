// pino logging to a file under the user's data directory: stdout belongs to the agent's output, never to logs.
import fs from 'node:fs'
import path from 'node:path'
import {pino, type Logger} from 'pino'

export type {Logger}

export interface LoggerOptions {
  /** Directory that receives `agent.log` (created when missing). */
  dataDir: string
  debug: boolean
}

export interface FileLogger {
  logger: Logger
  file: string
}

/** Opens (appends to) the CLI's log file; debug raises the level from `info` to `debug`. */
export function createFileLogger({dataDir, debug}: LoggerOptions): FileLogger {
  const dir = path.join(dataDir, 'logs')
  fs.mkdirSync(dir, {recursive: true, mode: 0o700})
  const file = path.join(dir, 'agent.log')
  const destination = pino.destination({dest: file, sync: true, mkdir: true})
  const logger = pino({level: debug ? 'debug' : 'info', base: {pid: process.pid}}, destination)
  return {logger, file}
}

/** A logger that drops everything; for tests and library callers that pass none. */
export function silentLogger(): Logger {
  return pino({level: 'silent'})
}
