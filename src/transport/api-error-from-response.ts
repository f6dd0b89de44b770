import { STATUS_CODES } from 'node:http';
import { type APIError, apiErrorFor } from '../errors/index.js';
import type { Redactor } from './redactor.js';
import type { ResponseInfo } from './transport-types.js';

interface ParsedErrorBody {
  message: string;
  type?: string | undefined;
  param?: string | undefined;
  code?: string | undefined;
  body: unknown;
}

const snippetLength = 200;

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function shorten(text: string): string {
  const collapsed = text.replace(/\s+/g, ' ').trim();
  return collapsed.length > snippetLength ? `${collapsed.slice(0, snippetLength)}…` : collapsed;
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|nbsp|#\d+);/g, (match, name: string) => {
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return entities[name] ?? match;
  });
}

/** The title (or first heading, or visible text) of an HTML page a proxy sent instead of JSON. */
export function summarizeHtml(html: string): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  const heading = /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(html)?.[1];
  const chosen =
    title?.trim() ||
    heading?.replace(/<[^>]+>/g, ' ').trim() ||
    html.replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]+>/g, ' ');
  return shorten(decodeEntities(chosen));
}

/** Reads the error shape of each dialect: OpenAI, vLLM, OIP, Ollama, FastAPI, or anything with `message`. */
function fromJson(json: unknown): ParsedErrorBody | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const record = json as Record<string, unknown>;
  const error = record.error;
  if (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string'
  ) {
    const fields = error as Record<string, unknown>;
    return {
      message: fields.message as string,
      type: asText(fields.type),
      param: asText(fields.param),
      code: asText(fields.code),
      body: json,
    };
  }
  if (typeof error === 'string') return { message: error, body: json };
  if (typeof record.message === 'string') {
    return {
      message: record.message,
      type: asText(record.type),
      param: asText(record.param),
      code: asText(record.code),
      body: json,
    };
  }
  const detail = record.detail;
  if (typeof detail === 'string') return { message: detail, body: json };
  if (Array.isArray(detail)) return { message: shorten(JSON.stringify(detail)), body: json };
  return undefined;
}

function parseErrorBody(text: string, contentType: string | undefined): ParsedErrorBody {
  const trimmed = text.trim();
  if (trimmed === '') return { message: 'the response had an empty body', body: undefined };
  const looksLikeHtml = /html/i.test(contentType ?? '') || /^<(!doctype|html|head|body)/i.test(trimmed);
  if (!looksLikeHtml) {
    try {
      const parsed = fromJson(JSON.parse(trimmed));
      if (parsed) return parsed;
      return { message: shorten(trimmed), body: JSON.parse(trimmed) };
    } catch {
      return { message: shorten(trimmed), body: shorten(trimmed) };
    }
  }
  const summary = summarizeHtml(trimmed);
  return {
    message: `an HTML page${summary ? ` "${summary}"` : ''} (likely from a proxy or gateway)`,
    body: shorten(trimmed),
  };
}

/**
 * Builds the APIError subclass for a non-2xx response from its body, whatever the dialect:
 * the message names the status and the request id; credentials are redacted.
 *
 * @example
 * throw apiErrorFromResponse({ status: 502, headers, requestId }, '<html><title>Bad Gateway</title></html>', redactor);
 */
export function apiErrorFromResponse(response: ResponseInfo, bodyText: string, redactor: Redactor): APIError {
  const parsed = parseErrorBody(bodyText, response.headers['content-type']);
  const statusText = STATUS_CODES[response.status] ?? 'Error';
  const requestIdText = response.requestId ? `, request id ${response.requestId}` : '';
  const message = redactor.text(
    `${response.status} ${statusText}: ${parsed.message} (status ${response.status}${requestIdText})`,
  );
  return apiErrorFor(message, {
    status: response.status,
    body: redactor.value(parsed.body),
    type: parsed.type,
    param: parsed.param,
    code: parsed.code,
    requestId: response.requestId,
    headers: redactor.headers(response.headers),
  });
}
