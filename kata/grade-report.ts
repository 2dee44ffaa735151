/**
 * The shape of `reports/grade.json`, shared by the code that builds it
 * (grade.ts) and the code that renders it as JUnit XML (junit.ts), so that
 * neither imports the other.
 */
import type { Impl } from './impl-switch.js';
import type { LessonStatus } from './status.js';

/** One check in the report; `message` only for failures. */
export interface GradeCheck {
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  message?: string;
}

/** One lesson in the report. */
export interface GradeLesson {
  id: string;
  slug: string;
  title: string;
  passed: number;
  failed: number;
  skipped: number;
  total: number;
  points: number;
  maxPoints: number;
  status: LessonStatus;
  checks: GradeCheck[];
}

/** The whole grade.json. */
export interface GradeReport {
  impl: Impl;
  generatedAt: string;
  total: { passed: number; total: number; points: number; maxPoints: number };
  lessons: GradeLesson[];
}
