// Everything the demo uses from facerec, in one place (a real app would import from '@facerec/web' directly).
export * from '@facerec/web';
