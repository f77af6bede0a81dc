export * from './handlebars-env';
