/**
 * Imported for its effect by every module that opens a better-sqlite3 database (before the first
 * open of a thread): keeps the native wrappers alive where Node 24 would abort when the GC frees
 * one (see sqlite-native-lifetime.ts). On Node 20 it changes nothing.
 */
import Database from 'better-sqlite3';
import { keepSqliteWrappersAlive } from './sqlite-native-lifetime.js';

keepSqliteWrappersAlive(Database);
