import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { ApiExceptionFilter, createValidationPipe } from '@sunshine/common';

/** Everything the API app needs besides its module; shared by main.ts and the e2e tests. */
export function configureApiApp(app: INestApplication): void {
  app.useLogger(app.get(Logger));
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // the Swagger UI at /api/docs uses inline scripts and styles
          'script-src': ["'self'", "'unsafe-inline'"],
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:'],
        },
      },
    }),
  );
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ApiExceptionFilter());
  const doc = new DocumentBuilder()
    .setTitle('Sunshine Funds staff API (阳光扶贫资金监管平台)')
    .setDescription(
      'Fund ledger, controls and disclosure. Money is yuan as decimal strings ("1234.56"); errors are ' +
        '{statusCode, code, message, details}. Money-moving POSTs accept an Idempotency-Key header.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, doc);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
