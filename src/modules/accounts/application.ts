import type { ApplicationStatus } from '../../db/database.ts';

/** One subject of someone's application to become an educator, as editors see it. */
export interface ApplicationRow {
  id: number;
  userId: number;
  userName: string;
  userEmail: string;
  subjectId: number;
  subjectName: string;
  qualifications: string;
  statement: string;
  status: ApplicationStatus;
  createdAt: string;
}
