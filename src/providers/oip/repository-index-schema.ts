export { repositoryIndexSchema } from '../../wire/oip/repository-schemas.js';
